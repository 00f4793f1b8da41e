/**
 * Making a build step's layer without a container: a writable snapshot on
 * top of the parent state is mounted, the step writes into it (COPY, ADD,
 * WORKDIR) or a RUN process runs in it, and its upper dir becomes the
 * layer: diffLayer → content store, and the upper dir itself is renamed
 * into the new committed snapshot (no second unpack).
 *
 * Scratch space (owned here): DATA_ROOT/build/mnt/KEY  mount points of
 * writable snapshots while a step runs; removed at the end of the step.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerInput } from '../../engine/images/image-service.ts';
import { ingestLayer } from '../../engine/images/layer-ingest.ts';
import type { Unpacker } from '../../engine/images/unpack.ts';
import { type Digest, digestOf } from '../../lib/digest.ts';
import { randomId } from '../../lib/ids.ts';
import { diffLayer } from '../../store/layer-diff.ts';
import type { OverlaySnapshotter } from '../../store/snapshots.ts';
import type { ContentStore } from '../../store/types.ts';
import { type BuildState, recordOf, topOf } from './state.ts';

export interface LayerDeps {
  content: ContentStore;
  snapshots: OverlaySnapshotter;
  unpacker: Unpacker;
  /** DATA_ROOT/build */
  root: string;
}

export class LayerMaker {
  private d: LayerDeps;
  /** Snapshot keys in use by running steps (GC must leave them alone). */
  readonly active = new Set<string>();

  constructor(d: LayerDeps) {
    this.d = d;
  }

  /** Makes sure every layer of the state is unpacked; returns its top snapshot key. */
  async ensure(s: BuildState): Promise<string | undefined> {
    const top = topOf(s.layers);
    if (top === undefined || this.d.snapshots.stat(top)) return top;
    return this.d.unpacker.unpack(recordOf(s));
  }

  /** Mounts the state read-only at a fresh directory for the time of fn. */
  async withView<T>(s: BuildState, fn: (root: string) => Promise<T>): Promise<T> {
    const top = await this.ensure(s);
    const dir = join(this.d.root, 'mnt', `view-${randomId().slice(0, 16)}`);
    await mkdir(dir, { recursive: true });
    if (top) this.d.snapshots.mountAt(top, dir);
    try {
      return await fn(dir);
    } finally {
      if (top) this.d.snapshots.unmount(dir);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Runs `work` on a writable root over the state and returns the layer it
   * made. The layer's committed snapshot is in place when this returns.
   * With `link`, the root starts empty (the parent is not visible): the
   * layer holds what `work` wrote and nothing about the parent, and its
   * snapshot is still committed on top of the parent.
   */
  async layer(s: BuildState, work: (root: string) => Promise<void>, o: { link?: boolean } = {}): Promise<LayerInput> {
    const parent = await this.ensure(s);
    const key = `build-${randomId()}`;
    this.active.add(key);
    const mnt = join(this.d.root, 'mnt', key.slice(0, 24));
    try {
      await this.d.snapshots.createActive(key, o.link ? undefined : parent);
      await mkdir(mnt, { recursive: true });
      this.d.snapshots.mountAt(key, mnt);
      try {
        await work(mnt);
      } finally {
        this.d.snapshots.unmount(mnt);
        await rm(mnt, { recursive: true, force: true });
      }
      const upper = this.d.snapshots.dirs(key).upper as string;
      const layer = await ingestLayer(this.d.content, diffLayer(upper));
      const chain = parent ? (digestOf(`${parent} ${layer.diffId}`) as Digest) : layer.diffId;
      if (!this.d.snapshots.stat(chain)) {
        const prep = await this.d.snapshots.prepareLayer(chain, parent);
        try {
          await rm(prep.dir, { recursive: true, force: true });
          await rename(upper, prep.dir);
          await prep.commit(layer.diffId, layer.uncompressedSize);
        } catch (e) {
          await prep.abort();
          throw e;
        }
      }
      return layer;
    } finally {
      await this.d.snapshots.remove(key).catch(() => {});
      this.active.delete(key);
    }
  }
}

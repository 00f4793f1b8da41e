/**
 * Unpacks an image's layers into committed snapshots, once per chain ID.
 * Concurrent unpacks of the same layer wait for one another; a layer that
 * fails to apply (bad entries, wrong diffID) leaves no snapshot behind.
 * Layers already unpacked while they streamed in (`staged`, by blob
 * digest) are only committed.
 */
import { chainIds, type Digest } from '../../lib/digest.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { applyLayer } from '../../store/layer-apply.ts';
import type { ContentStore, Snapshotter } from '../../store/types.ts';
import type { ImageService } from './image-service.ts';
import type { ImageRecord } from './records.ts';
import { StagedLayer } from './staged-layer.ts';

export type StagedLayers = ReadonlyMap<Digest, StagedLayer>;

export class Unpacker {
  private content: ContentStore;
  private snapshots: Snapshotter;
  private images: ImageService;
  private inflight = new Map<string, Promise<void>>();

  constructor(content: ContentStore, snapshots: Snapshotter, images: ImageService) {
    this.content = content;
    this.snapshots = snapshots;
    this.images = images;
  }

  /** Unpacks every layer of the image; returns the top chain ID (undefined for no layers). */
  async unpack(rec: ImageRecord, staged?: StagedLayers): Promise<string | undefined> {
    const cfg = await this.images.config(rec.id);
    const manifest = await this.images.manifest(rec);
    const diffIds = cfg.rootfs?.diff_ids ?? [];
    const layers = manifest.layers.filter((l) => !l.mediaType.includes('nondistributable'));
    if (layers.length !== diffIds.length) {
      throw new InvalidArgumentError(
        `image ${rec.id} has ${layers.length} layers but its config names ${diffIds.length}`,
      );
    }
    const chain = chainIds(diffIds);
    for (let i = 0; i < chain.length; i++) {
      await this.layer(chain[i], i > 0 ? chain[i - 1] : undefined, layers[i].digest, diffIds[i], staged);
    }
    return chain[chain.length - 1];
  }

  /** Starts unpacking a layer as its bytes come (see staged-layer.ts). */
  stage(plainDigest?: () => Digest): Promise<StagedLayer> {
    return StagedLayer.start(this.snapshots, plainDigest);
  }

  private layer(
    key: string,
    parent: string | undefined,
    blob: Digest,
    diffId: Digest,
    staged: StagedLayers | undefined,
  ): Promise<void> {
    if (this.snapshots.stat(key)) return Promise.resolve();
    let p = this.inflight.get(key);
    if (!p) {
      p = this.apply(key, parent, blob, diffId, staged?.get(blob)).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async apply(
    key: string,
    parent: string | undefined,
    blob: Digest,
    diffId: Digest,
    staged: StagedLayer | undefined,
  ): Promise<void> {
    if (this.snapshots.stat(key)) return;
    if (staged && (await staged.commit(key, parent, blob, diffId))) return;
    const prep = await this.snapshots.prepareLayer(key, parent);
    try {
      const res = await applyLayer(this.content.readStream(blob), prep.dir);
      if (res.diffId !== diffId) {
        throw new InvalidArgumentError(
          `layer ${blob} does not match its diffID: expected ${diffId}, got ${res.diffId}`,
        );
      }
      await prep.commit(res.diffId, res.size);
    } catch (e) {
      await prep.abort();
      throw e;
    }
  }
}

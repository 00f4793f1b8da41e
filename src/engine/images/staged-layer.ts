/**
 * A layer unpacked while its bytes stream in (from a registry or an image
 * archive), into a detached snapshot directory: download, digest,
 * decompression and unpacking overlap, and layers unpack side by side.
 *
 * The owner feeds the blob's bytes in order, then — only once the blob's
 * own digest checked out — commits the directory under its chain ID (after
 * the diffID check here), or discards it. Anything unusual (bytes out of
 * order after a restarted download, a blob that is not a layer) abandons
 * the staging; the owner then unpacks from the stored blob as before.
 */
import { PassThrough } from 'node:stream';
import type { Digest } from '../../lib/digest.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { type ApplyResult, applyLayer } from '../../store/layer-apply.ts';
import type { SnapshotInfo, Snapshotter } from '../../store/types.ts';

type Detached = Awaited<ReturnType<Snapshotter['prepareDetached']>>;

const WINDOW = 1 << 20;

export class StagedLayer {
  private readonly input = new PassThrough({ highWaterMark: WINDOW });
  private readonly detached: Detached;
  private readonly applied: Promise<ApplyResult | undefined>;
  private next = 0;
  private broken = false;
  private committed = false;

  private constructor(detached: Detached, plainDigest?: () => Digest) {
    this.detached = detached;
    this.applied = applyLayer(this.input, detached.dir, { plainDigest }).then(
      (r) => r,
      () => {
        this.abandon();
        return undefined;
      },
    );
  }

  /** `plainDigest`: the blob's digest, when the caller hashes the bytes anyway (used if the layer is not compressed). */
  static async start(snapshots: Snapshotter, plainDigest?: () => Digest): Promise<StagedLayer> {
    return new StagedLayer(await snapshots.prepareDetached(), plainDigest);
  }

  /** False once the staging was given up. */
  get alive(): boolean {
    return !this.broken;
  }

  /**
   * Feeds the bytes at `offset` (default: right after the previous ones).
   * Bytes out of order give the staging up. Resolves when the unpack is not
   * too far behind.
   */
  async write(chunk: Buffer, offset = this.next): Promise<void> {
    if (this.broken) return;
    if (offset !== this.next) {
      this.abandon();
      return;
    }
    this.next += chunk.length;
    if (this.input.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.input.off('drain', done);
        this.input.off('close', done);
        resolve();
      };
      this.input.on('drain', done);
      this.input.on('close', done);
    });
  }

  /** The last byte was written: `total` bytes in all, else the staging is given up. */
  end(total: number): void {
    if (this.next !== total) this.abandon();
    if (!this.broken) this.input.end();
  }

  /** Stops the unpack; the directory goes at `discard`. */
  abandon(): void {
    this.broken = true;
    this.input.destroy();
  }

  /** The unpack's result once the input ended; undefined when it was given up or failed. */
  async result(): Promise<ApplyResult | undefined> {
    const r = await this.applied;
    return this.broken ? undefined : r;
  }

  /**
   * Commits the unpacked layer as snapshot `key` on `parent`, if it is
   * `diffId`; undefined when the staging was given up (unpack from the blob).
   */
  async commit(
    key: string,
    parent: string | undefined,
    blob: Digest,
    diffId: Digest,
  ): Promise<SnapshotInfo | undefined> {
    const r = await this.result();
    if (!r || this.committed) return undefined; // the same blob under a second parent unpacks from the blob
    this.committed = true;
    if (r.diffId !== diffId) {
      await this.discard();
      throw new InvalidArgumentError(`layer ${blob} does not match its diffID: expected ${diffId}, got ${r.diffId}`);
    }
    return this.detached.commit(key, parent, r.diffId, r.size);
  }

  /** Removes the directory unless committed. */
  async discard(): Promise<void> {
    this.abandon();
    await this.applied;
    await this.detached.abort();
  }
}

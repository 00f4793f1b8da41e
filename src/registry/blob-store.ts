/** Blobs: stored once by digest, linked into repositories. */
import type { Digest } from '../lib/digest.ts';
import type { GcGuard } from './gc-guard.ts';
import { blobDataKey, layerLinkKey, revisionLinkKey } from './layout.ts';
import type { ByteRange, ChunkSink, StorageDriver } from './storage/driver.ts';

export class BlobStore {
  readonly driver: StorageDriver;
  readonly guard: GcGuard;
  constructor(driver: StorageDriver, guard: GcGuard) {
    this.driver = driver;
    this.guard = guard;
  }

  /** Size of a stored blob, or undefined. */
  async size(d: Digest): Promise<number | undefined> {
    await this.guard.use(d);
    const s = await this.driver.stat(blobDataKey(d));
    return s && !s.isDir ? s.size : undefined;
  }

  /** Size of a blob that belongs to a repository (as a layer or a manifest), or undefined. */
  async sizeInRepo(name: string, d: Digest): Promise<number | undefined> {
    await this.guard.use(d);
    const [layer, rev] = await Promise.all([
      this.driver.stat(layerLinkKey(name, d)),
      this.driver.stat(revisionLinkKey(name, d)),
    ]);
    if (!layer && !rev) return undefined;
    return this.size(d);
  }

  async link(name: string, d: Digest): Promise<void> {
    this.guard.touch(d);
    await this.driver.putContent(layerLinkKey(name, d), Buffer.from(d));
  }

  /** Removes a blob from a repository; false when it was not there. */
  async unlink(name: string, d: Digest): Promise<boolean> {
    const key = layerLinkKey(name, d);
    if (!(await this.driver.stat(key))) return false;
    await this.driver.delete(key.slice(0, -'/link'.length));
    return true;
  }

  /** Reads a blob chunk by chunk (see StorageDriver.read: a chunk is valid until its sink settles). */
  async readChunks(d: Digest, range: ByteRange | undefined, sink: ChunkSink): Promise<void> {
    await this.driver.read(blobDataKey(d), range, sink);
  }

  async read(d: Digest): Promise<Buffer> {
    return this.driver.getContent(blobDataKey(d));
  }

  /** Makes an uploaded object the blob `d` (it is already verified). */
  async commit(srcKey: string, d: Digest): Promise<void> {
    this.guard.touch(d);
    if ((await this.size(d)) !== undefined) {
      await this.driver.delete(srcKey);
      return;
    }
    await this.driver.move(srcKey, blobDataKey(d));
  }

  /** Stores small verified content (a manifest) as a blob. */
  async putSmall(d: Digest, data: Uint8Array): Promise<void> {
    this.guard.touch(d);
    if ((await this.size(d)) === data.length) return;
    await this.driver.putContent(blobDataKey(d), data);
  }
}

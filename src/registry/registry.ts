/** The registry's domain: one storage driver, and the stores built on it. */
import { BlobStore } from './blob-store.ts';
import { GcGuard } from './gc-guard.ts';
import { ManifestCache } from './manifest-cache.ts';
import { ManifestStore } from './manifest-store.ts';
import type { StorageDriver } from './storage/driver.ts';
import { UploadStore } from './upload-store.ts';

export interface RegistryOptions {
  /** Bytes of manifest bodies kept in memory (0 disables the cache). */
  cacheBytes?: number;
  /** How long a tag → digest answer is trusted, in ms. */
  tagTtlMs?: number;
}

export class Registry {
  readonly driver: StorageDriver;
  readonly guard = new GcGuard();
  readonly blobs: BlobStore;
  readonly manifests: ManifestStore;
  readonly uploads: UploadStore;

  constructor(driver: StorageDriver, opts: RegistryOptions = {}) {
    this.driver = driver;
    this.blobs = new BlobStore(driver, this.guard);
    this.manifests = new ManifestStore(driver, this.blobs, new ManifestCache(opts.cacheBytes, opts.tagTtlMs));
    this.uploads = new UploadStore(driver, this.blobs);
  }
}

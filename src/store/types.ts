/**
 * The store's role interfaces. Each has one implementation now and one test
 * suite that any implementation must pass.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../lib/digest.ts';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/**
 * Content-addressed blobs. Nothing is visible under a digest before its
 * bytes were checked against that digest (and size, when known).
 */
export interface ContentStore {
  /** Info of a committed blob, or undefined. */
  stat(digest: Digest): Promise<BlobInfo | undefined>;
  has(digest: Digest): Promise<boolean>;
  /** Path of a committed blob (read-only). Throws NotFound. */
  path(digest: Digest): string;
  readStream(digest: Digest, range?: { start: number; end?: number }): Readable;
  readBytes(digest: Digest): Promise<Buffer>;
  /** Writes a whole blob from bytes; verifies `expected` when given. Returns its info. */
  writeBytes(data: Uint8Array, expected?: Digest): Promise<BlobInfo>;
  /**
   * Opens (or resumes) an ingest named `ref`. The writer knows how many
   * bytes it already holds (`offset`), so a download can resume with Range.
   */
  ingest(ref: string, expected?: { digest?: Digest; size?: number }): Promise<Ingest>;
  /** Aborts and removes an ingest. */
  abortIngest(ref: string): Promise<void>;
  /** All committed blobs. */
  list(): AsyncIterable<BlobInfo>;
  delete(digest: Digest): Promise<void>;
  /** Removes ingests not touched for `olderThanMs` (0: all). Returns how many. */
  collectIngests(olderThanMs: number): Promise<number>;
}

export interface Ingest {
  readonly ref: string;
  /** Bytes already written (resume point). */
  readonly offset: number;
  /** Appends the bytes (several parts go out in one writev). */
  write(data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /**
   * The digest of the bytes written (with the ingest's algorithm). After it
   * the ingest takes no more writes, only commit or close.
   */
  digest(): Digest;
  /** Pipes a stream into the ingest. */
  writeStream(src: Readable): Promise<void>;
  /**
   * Verifies size and digest, then renames into place. Throws
   * InvalidArgument on mismatch (and removes the ingest). Idempotent when
   * the blob already exists.
   */
  commit(expected?: { digest?: Digest; size?: number }): Promise<BlobInfo>;
  /** Closes without committing; the data stays for a later resume. */
  close(): Promise<void>;
}

export interface SnapshotInfo {
  /** Chain ID for a committed layer, a container ID (or any key) for an active one. */
  key: string;
  /** Short on-disk name. */
  short: string;
  parent?: string;
  kind: 'committed' | 'active';
  diffId?: Digest;
  size: number;
  createdAt: number;
}

export interface MountSpec {
  type: 'overlay' | 'bind';
  source: string;
  options: string[];
}

/**
 * Layered filesystems over overlayfs. A committed snapshot is an unpacked
 * layer, found by its chain ID; an active one is a writable layer on top.
 */
export interface Snapshotter {
  stat(key: string): SnapshotInfo | undefined;
  /**
   * Prepares a new committed layer: returns a directory to unpack into and a
   * commit function. Nothing is visible under `key` until commit.
   */
  prepareLayer(
    key: string,
    parent: string | undefined,
  ): Promise<{ dir: string; commit(diffId: Digest, size: number): Promise<SnapshotInfo>; abort(): Promise<void> }>;
  /**
   * A directory to unpack a layer into before its key is known; `commit`
   * names it (chain ID on `parent`), `abort` removes it. Until then it is
   * invisible, and a crash leaves only an orphan that start-up removes.
   */
  prepareDetached(): Promise<{
    dir: string;
    commit(key: string, parent: string | undefined, diffId: Digest, size: number): Promise<SnapshotInfo>;
    abort(): Promise<void>;
  }>;
  /** Creates a writable snapshot on top of `parent` (undefined: empty). */
  createActive(key: string, parent: string | undefined): Promise<SnapshotInfo>;
  /** The mount that shows `key` (an active or committed snapshot) as one tree. */
  mounts(key: string): MountSpec[];
  /** Upper (writable) dir of an active snapshot, and the lower dirs, top first. */
  dirs(key: string): { upper?: string; work?: string; lowers: string[] };
  remove(key: string): Promise<void>;
  list(): SnapshotInfo[];
}

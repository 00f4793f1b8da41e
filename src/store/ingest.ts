/**
 * An ingest of the content store (content.ts): the bytes of one blob
 * appended to ingest/<sha256(ref)>/data as they arrive, hashed on the way,
 * synced to the disk early for a large blob, and handed to the store for an
 * fsync'd rename into blobs/ only once size and digest check out.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, Digester, parseDigest } from '../lib/digest.ts';
import { ConflictError, errnoCode, InternalError, InvalidArgumentError, isNotFound } from '../lib/errors.ts';
import type { BlobInfo, Ingest } from './types.ts';

export type Expected = { digest?: Digest; size?: number };

/** What an ingest needs of its store. */
export interface IngestOwner {
  /** The ingest is closed or gone: its ref may be opened again. */
  release(ref: string): void;
  /** Moves a verified data file into place as the blob `digest`. */
  commitFile(dataPath: string, digest: Digest): Promise<void>;
}

/** Turns ENOSPC (and EDQUOT) into one clear error; other errors pass unchanged. */
export function storageError(e: unknown, what: string): unknown {
  const code = errnoCode(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new InternalError(`no space left on device while writing blob ${what}`, { cause: e });
  }
  return e;
}

/** Feeds the bytes already in `path` (if any) to the digester. */
export async function hashFile(path: string, d: Digester): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      d.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

/**
 * A large ingest starts writing its bytes to the disk every this many bytes
 * (an fdatasync on the thread pool, one at a time), so that the fsync of the
 * commit waits only for the last ones instead of the whole blob (~170 ms for
 * a 180 MB layer here).
 */
const EARLY_SYNC = 32 << 20;

export class FsIngest implements Ingest {
  readonly ref: string;
  private readonly store: IngestOwner;
  private readonly dir: string;
  private fh: FileHandle | undefined;
  private digester: Digester;
  private sealed: Digest | undefined;
  private readonly expected: Expected;
  /** The early fdatasync under way, and where the next one starts. */
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  private nextSync = EARLY_SYNC;

  constructor(store: IngestOwner, ref: string, dir: string, fh: FileHandle, digester: Digester, expected: Expected) {
    this.store = store;
    this.ref = ref;
    this.dir = dir;
    this.fh = fh;
    this.digester = digester;
    this.expected = expected;
  }

  get offset(): number {
    return this.digester.size;
  }

  private handle(): FileHandle {
    if (!this.fh) throw new ConflictError(`ingest "${this.ref}" is closed`);
    return this.fh;
  }

  /** Closes and removes everything of this ingest, then rethrows `e` in a clear form. */
  private async fail(e: unknown): Promise<never> {
    await this.discard();
    throw storageError(e, this.expected.digest ?? `(ingest ${this.ref})`);
  }

  /** Starts an fdatasync of what is written so far, unless one is under way. */
  private syncEarly(fh: FileHandle): void {
    if (this.syncing || this.digester.size < this.nextSync) return;
    this.nextSync = this.digester.size + EARLY_SYNC;
    this.syncing = fh
      .datasync()
      .catch((e: unknown) => {
        this.syncError ??= e; // a failed writeback fails the commit (a later fsync may not report it again)
      })
      .finally(() => {
        this.syncing = undefined;
      });
  }

  private async discard(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await this.syncing;
    await fh?.close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
    this.store.release(this.ref);
  }

  digest(): Digest {
    this.sealed ??= this.digester.digest();
    return this.sealed;
  }

  async write(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const fh = this.handle();
    if (this.sealed) throw new ConflictError(`ingest "${this.ref}" was sealed by digest()`);
    const parts = data instanceof Uint8Array ? [data] : data;
    let n = 0;
    for (const p of parts) n += p.length;
    if (this.expected.size !== undefined && this.digester.size + n > this.expected.size) {
      const got = this.digester.size + n;
      await this.discard();
      throw new InvalidArgumentError(
        `size mismatch for ${this.expected.digest ?? this.ref}: expected ${this.expected.size} bytes, got at least ${got}`,
      );
    }
    try {
      // one writev for many parts; a short write finishes with plain writes
      let off = parts.length > 1 ? (await fh.writev(parts as Uint8Array[])).bytesWritten : 0;
      if (off < n) {
        const chunk = parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
        while (off < n) off += (await fh.write(chunk, off, n - off)).bytesWritten;
      }
    } catch (e) {
      return this.fail(e);
    }
    for (const p of parts) this.digester.update(p);
    this.syncEarly(fh);
  }

  async writeStream(src: Readable): Promise<void> {
    for await (const chunk of src) {
      await this.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
  }

  async commit(expected: Expected = {}): Promise<BlobInfo> {
    const fh = this.handle();
    const want: Expected = { ...this.expected, ...expected };
    const size = this.digester.size;
    if (want.size !== undefined && want.size !== size) {
      await this.discard();
      throw new InvalidArgumentError(
        `size mismatch for ${want.digest ?? this.ref}: expected ${want.size} bytes, got ${size}`,
      );
    }
    try {
      await this.syncing;
      if (this.syncError) throw this.syncError;
      await fh.sync();
    } catch (e) {
      return this.fail(e);
    }
    await fh.close();
    this.fh = undefined;
    const dataPath = join(this.dir, 'data');
    let digest = this.digest();
    if (want.digest && parseDigest(want.digest).algorithm !== this.digester.algorithm) {
      const d = new Digester(parseDigest(want.digest).algorithm);
      await hashFile(dataPath, d);
      digest = d.digest();
    }
    if (want.digest && want.digest !== digest) {
      await this.discard();
      throw new InvalidArgumentError(
        `digest mismatch for ingest "${this.ref}": expected ${want.digest}, got ${digest}`,
      );
    }
    try {
      await this.store.commitFile(dataPath, digest);
    } catch (e) {
      return this.fail(e);
    }
    await this.discard();
    return { digest, size };
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await this.syncing;
    if (fh) {
      await fh.close();
      this.store.release(this.ref);
    }
  }
}

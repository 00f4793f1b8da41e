/**
 * FsContentStore: content-addressed blobs on the local filesystem.
 *
 * On-disk layout (version 1) under the store's root:
 *
 *   blobs/<alg>/<hex>              committed blobs, mode 0444, never partial
 *   ingest/<sha256(ref)>/ref       the ingest's name (text)
 *   ingest/<sha256(ref)>/data      bytes received so far (appended; resumable)
 *   ingest/tmp-<random>            whole-blob writes (writeBytes) before rename
 *
 * A blob reaches `blobs/` only by an fsync'd rename from `ingest/`, after its
 * size and digest were checked. Ingests left by a crash are collected by
 * `collectIngests`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Algorithm, type Digest, Digester, digestOf, parseDigest } from '../lib/digest.ts';
import {
  ConflictError,
  errnoCode,
  InternalError,
  InvalidArgumentError,
  isNotFound,
  NotFoundError,
} from '../lib/errors.ts';
import type { BlobInfo, ContentStore, Ingest } from './types.ts';

type Expected = { digest?: Digest; size?: number };

/** Turns ENOSPC (and EDQUOT) into one clear error; other errors pass unchanged. */
function storageError(e: unknown, what: string): unknown {
  const code = errnoCode(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new InternalError(`no space left on device while writing blob ${what}`, { cause: e });
  }
  return e;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FsContentStore implements ContentStore {
  readonly root: string;
  private readonly active = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Creates the directories of the layout (idempotent). */
  async init(): Promise<this> {
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'ingest'), { recursive: true });
    return this;
  }

  private blobPath(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  private ingestDir(ref: string): string {
    return join(this.root, 'ingest', createHash('sha256').update(ref).digest('hex'));
  }

  async stat(digest: Digest): Promise<BlobInfo | undefined> {
    try {
      const st = await stat(this.blobPath(digest));
      return { digest, size: st.size };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  path(digest: Digest): string {
    const p = this.blobPath(digest);
    if (!existsSync(p)) throw new NotFoundError(`blob ${digest} not found`);
    return p;
  }

  /** `range.end` is inclusive (as in HTTP Range and fs.createReadStream). */
  readStream(digest: Digest, range?: { start: number; end?: number }): Readable {
    const p = this.path(digest);
    return createReadStream(p, range ? { start: range.start, end: range.end } : {});
  }

  async readBytes(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`blob ${digest} not found`);
      throw e;
    }
  }

  async writeBytes(data: Uint8Array, expected?: Digest): Promise<BlobInfo> {
    const algorithm: Algorithm = expected ? parseDigest(expected).algorithm : 'sha256';
    const digest = digestOf(data, algorithm);
    if (expected && expected !== digest) {
      throw new InvalidArgumentError(`digest mismatch: expected ${expected}, got ${digest}`);
    }
    const info = { digest, size: data.length };
    if (await this.has(digest)) return info;
    const tmp = join(this.root, 'ingest', `tmp-${randomBytes(8).toString('hex')}`);
    try {
      const fh = await open(tmp, 'wx', 0o444);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.place(tmp, digest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw storageError(e, digest);
    }
    return info;
  }

  /** Renames a verified, fsync'd file into place under its digest. */
  private async place(file: string, digest: Digest): Promise<void> {
    const target = this.blobPath(digest);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    await rename(file, target);
    await fsyncDir(dir);
  }

  async ingest(ref: string, expected: Expected = {}): Promise<Ingest> {
    if (expected.digest) parseDigest(expected.digest);
    if (this.active.has(ref)) throw new ConflictError(`ingest "${ref}" is already being written`);
    this.active.add(ref);
    try {
      const dir = this.ingestDir(ref);
      await mkdir(dir, { recursive: true });
      const refFile = join(dir, 'ref');
      if (!existsSync(refFile)) await writeSmall(refFile, ref);
      const dataPath = join(dir, 'data');
      const algorithm: Algorithm = expected.digest ? parseDigest(expected.digest).algorithm : 'sha256';
      const digester = new Digester(algorithm);
      await hashFile(dataPath, digester);
      const fh = await open(dataPath, 'a', 0o644);
      return new FsIngest(this, ref, dir, fh, digester, expected);
    } catch (e) {
      this.active.delete(ref);
      throw storageError(e, `(ingest ${ref})`);
    }
  }

  /** @internal called by FsIngest when it closes. */
  release(ref: string): void {
    this.active.delete(ref);
  }

  /** @internal called by FsIngest.commit with a verified, synced data file. */
  async commitFile(dataPath: string, digest: Digest): Promise<void> {
    if (await this.has(digest)) return;
    await chmod(dataPath, 0o444);
    await this.place(dataPath, digest);
  }

  async abortIngest(ref: string): Promise<void> {
    if (this.active.has(ref)) throw new ConflictError(`ingest "${ref}" is in use`);
    await rm(this.ingestDir(ref), { recursive: true, force: true });
  }

  async *list(): AsyncIterable<BlobInfo> {
    const blobs = join(this.root, 'blobs');
    let algs: string[];
    try {
      algs = await readdir(blobs);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    for (const alg of algs.sort()) {
      for (const hex of (await readdir(join(blobs, alg))).sort()) {
        const d = `${alg}:${hex}`;
        try {
          const { digest } = parseDigest(d);
          const st = await stat(join(blobs, alg, hex));
          yield { digest, size: st.size };
        } catch (e) {
          if (isNotFound(e) || e instanceof InvalidArgumentError) continue;
          throw e;
        }
      }
    }
  }

  async delete(digest: Digest): Promise<void> {
    try {
      await unlink(this.blobPath(digest));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`blob ${digest} not found`);
      throw e;
    }
  }

  async collectIngests(olderThanMs: number): Promise<number> {
    const base = join(this.root, 'ingest');
    let names: string[];
    try {
      names = await readdir(base);
    } catch (e) {
      if (isNotFound(e)) return 0;
      throw e;
    }
    const activeDirs = new Set([...this.active].map((r) => this.ingestDir(r)));
    const limit = Date.now() - olderThanMs;
    let n = 0;
    for (const name of names) {
      const p = join(base, name);
      if (activeDirs.has(p)) continue;
      try {
        const st = await stat(existsSync(join(p, 'data')) ? join(p, 'data') : p);
        if (olderThanMs > 0 && st.mtimeMs > limit) continue;
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      await rm(p, { recursive: true, force: true });
      n++;
    }
    return n;
  }
}

async function writeSmall(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w', 0o644);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

/** Feeds the bytes already in `path` (if any) to the digester. */
async function hashFile(path: string, d: Digester): Promise<void> {
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

class FsIngest implements Ingest {
  readonly ref: string;
  private readonly store: FsContentStore;
  private readonly dir: string;
  private fh: FileHandle | undefined;
  private digester: Digester;
  private sealed: Digest | undefined;
  private readonly expected: Expected;
  /** The early fdatasync under way, and where the next one starts. */
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  private nextSync = EARLY_SYNC;

  constructor(store: FsContentStore, ref: string, dir: string, fh: FileHandle, digester: Digester, expected: Expected) {
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

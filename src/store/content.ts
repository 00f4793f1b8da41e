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
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Algorithm, type Digest, Digester, digestOf, parseDigest } from '../lib/digest.ts';
import { ConflictError, InvalidArgumentError, isNotFound, NotFoundError } from '../lib/errors.ts';
import { type Expected, FsIngest, hashFile, type IngestOwner, storageError } from './ingest.ts';
import type { BlobInfo, ContentStore, Ingest } from './types.ts';

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FsContentStore implements ContentStore, IngestOwner {
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

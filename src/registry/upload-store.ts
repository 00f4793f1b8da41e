/**
 * Blob upload sessions. The bytes so far live in the storage driver (so an
 * upload survives a restart, even `kill -9`); the running sha256 lives in
 * memory and is rebuilt from the stored bytes when the process has lost it
 * (after a restart, a failed chunk, or for sha512).
 */
import { randomUUID } from 'node:crypto';
import { type Algorithm, type Digest, Digester } from '../lib/digest.ts';
import type { BlobStore } from './blob-store.ts';
import { blobBuffers } from './buffer-pool.ts';
import { digestInvalid, RegistryError, uploadUnknown } from './errors.ts';
import { uploadKey, uploadsKey } from './layout.ts';
import type { StorageDriver } from './storage/driver.ts';
import { countReceived } from './stream-gc.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Session {
  digester: Digester | null;
  /** Serialises requests on one upload. */
  tail: Promise<unknown>;
}

export interface ChunkRange {
  start: number;
  end: number;
}

export class UploadStore {
  private readonly driver: StorageDriver;
  private readonly blobs: BlobStore;
  private readonly sessions = new Map<string, Session>();

  constructor(driver: StorageDriver, blobs: BlobStore) {
    this.driver = driver;
    this.blobs = blobs;
  }

  async create(name: string): Promise<string> {
    const uuid = randomUUID();
    const base = uploadKey(name, uuid);
    await this.driver.putContent(`${base}/startedat`, Buffer.from(new Date().toISOString()));
    await this.driver.putContent(`${base}/data`, Buffer.alloc(0));
    this.sessions.set(uuid, { digester: new Digester('sha256'), tail: Promise.resolve() });
    return uuid;
  }

  /** Bytes received so far; BLOB_UPLOAD_UNKNOWN when there is no such upload. */
  async size(name: string, uuid: string): Promise<number> {
    if (!UUID_RE.test(uuid)) throw uploadUnknown(uuid);
    const s = await this.driver.stat(`${uploadKey(name, uuid)}/data`);
    if (!s || !(await this.driver.stat(`${uploadKey(name, uuid)}/startedat`))) throw uploadUnknown(uuid);
    return s.size;
  }

  private session(uuid: string): Session {
    let s = this.sessions.get(uuid);
    if (!s) {
      s = { digester: null, tail: Promise.resolve() };
      this.sessions.set(uuid, s);
    }
    return s;
  }

  private serial<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const s = this.session(uuid);
    const run = s.tail.then(fn, fn);
    s.tail = run.catch(() => {});
    return run;
  }

  /**
   * Appends a chunk. With `range`, its start must be the current size (else
   * 416) and the body must have exactly its length (else SIZE_INVALID); a
   * failed chunk leaves the upload as it was. Returns the new size.
   */
  append(
    name: string,
    uuid: string,
    body: AsyncIterable<Uint8Array>,
    range?: ChunkRange,
    length?: number,
  ): Promise<number> {
    return this.serial(uuid, () => this.appendNow(name, uuid, body, range, length));
  }

  private async appendNow(
    name: string,
    uuid: string,
    body: AsyncIterable<Uint8Array>,
    range?: ChunkRange,
    length?: number,
  ): Promise<number> {
    const size = await this.size(name, uuid);
    const expected = range ? range.end - range.start + 1 : length;
    if (range && (range.start !== size || range.end < range.start || (length !== undefined && length !== expected))) {
      throw rangeError(name, uuid, size);
    }
    const s = this.session(uuid);
    if (s.digester && s.digester.size !== size) s.digester = null;
    const w = await this.driver.writer(`${uploadKey(name, uuid)}/data`, true);
    let n = 0;
    // Socket chunks are small (64 KiB): they are copied into reused 1 MiB buffers, each written when
    // full (few write calls, and no new buffer per batch: memory stays flat while a blob streams in).
    // Two buffers, so that one fills from the socket while the other is being written.
    const bufs = [blobBuffers.take(), blobBuffers.take()];
    let cur = 0;
    let fill = 0;
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      const b = bufs[cur];
      writing = w.write(fill === b.length ? b : b.subarray(0, fill));
      cur ^= 1;
      fill = 0;
    };
    try {
      for await (const chunk of body) {
        if (expected !== undefined && n + chunk.length > expected) throw sizeInvalid(expected, n + chunk.length);
        s.digester?.update(chunk);
        n += chunk.length;
        for (let off = 0; off < chunk.length; ) {
          const b = bufs[cur];
          const k = Math.min(chunk.length - off, b.length - fill);
          b.set(off === 0 && k === chunk.length ? chunk : chunk.subarray(off, off + k), fill);
          fill += k;
          off += k;
          if (fill === b.length) {
            await flush();
            countReceived(b.length);
          }
        }
      }
      if (expected !== undefined && n !== expected) throw sizeInvalid(expected, n);
      if (fill > 0) await flush();
      await writing;
    } catch (e) {
      s.digester = null;
      await writing.catch(() => {});
      await w.cancel();
      throw e;
    } finally {
      for (const b of bufs) blobBuffers.give(b);
    }
    await w.commit();
    return w.size;
  }

  /** Finishes an upload: the optional last chunk, then the digest check; the blob is linked into `name`. */
  complete(
    name: string,
    uuid: string,
    digest: Digest,
    body?: AsyncIterable<Uint8Array>,
    range?: ChunkRange,
    length?: number,
  ): Promise<number> {
    return this.serial(uuid, async () => {
      if (body) await this.appendNow(name, uuid, body, range, length);
      const size = await this.size(name, uuid);
      const alg = digest.slice(0, digest.indexOf(':')) as Algorithm;
      const s = this.session(uuid);
      const actual =
        s.digester && s.digester.algorithm === alg && s.digester.size === size
          ? s.digester.digest()
          : await this.rehash(name, uuid, alg);
      if (actual !== digest) {
        await this.drop(name, uuid);
        throw digestInvalid(undefined, { expected: digest, actual });
      }
      await this.blobs.commit(`${uploadKey(name, uuid)}/data`, digest);
      await this.blobs.link(name, digest);
      await this.drop(name, uuid);
      return size;
    });
  }

  private async rehash(name: string, uuid: string, alg: Algorithm): Promise<Digest> {
    const d = new Digester(alg);
    await this.driver.read(`${uploadKey(name, uuid)}/data`, undefined, async (chunk) => d.update(chunk));
    return d.digest();
  }

  async cancel(name: string, uuid: string): Promise<void> {
    await this.size(name, uuid);
    await this.serial(uuid, () => this.drop(name, uuid));
  }

  private async drop(name: string, uuid: string): Promise<void> {
    this.sessions.delete(uuid);
    await this.driver.delete(uploadKey(name, uuid));
  }

  /** Upload sessions of a repository with their start times (for GC of stale uploads). */
  async list(name: string): Promise<{ uuid: string; startedAt: number }[]> {
    const out: { uuid: string; startedAt: number }[] = [];
    for (const uuid of await this.driver.list(uploadsKey(name))) {
      const t = await this.driver.getContent(`${uploadKey(name, uuid)}/startedat`).catch(() => undefined);
      out.push({ uuid, startedAt: t ? Date.parse(t.toString('utf8')) : 0 });
    }
    return out;
  }

  async remove(name: string, uuid: string): Promise<void> {
    await this.drop(name, uuid);
  }
}

function sizeInvalid(expected: number, got: number): RegistryError {
  return new RegistryError('SIZE_INVALID', 400, `expected ${expected} bytes, got ${got}`, { expected, got });
}

export function rangeError(name: string, uuid: string, size: number): RegistryError {
  return new RegistryError('BLOB_UPLOAD_INVALID', 416, 'chunk out of order', { offset: size }).withHeaders({
    Location: `/v2/${name}/blobs/uploads/${uuid}`,
    Range: `0-${Math.max(size - 1, 0)}`,
    'Docker-Upload-UUID': uuid,
  });
}

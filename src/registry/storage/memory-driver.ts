/** An in-memory driver for tests: a sorted map of keys to byte arrays. */
import { InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import type { ByteRange, ChunkSink, FileWriter, StatInfo, StorageDriver } from './driver.ts';

/** Reads hand out slices of this size, as the filesystem driver does. */
const CHUNK = 1024 * 1024;

interface Entry {
  data: Buffer;
  modTime: number;
}

function checkKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new InvalidArgumentError(`invalid storage key "${key}"`);
  }
}

export class MemoryDriver implements StorageDriver {
  readonly name = 'inmemory';
  private readonly objects = new Map<string, Entry>();

  private get(key: string): Entry {
    checkKey(key);
    const e = this.objects.get(key);
    if (!e) throw new NotFoundError(`${key}: not found`);
    return e;
  }

  async getContent(key: string): Promise<Buffer> {
    return Buffer.from(this.get(key).data);
  }

  async putContent(key: string, data: Uint8Array): Promise<void> {
    checkKey(key);
    this.objects.set(key, { data: Buffer.from(data), modTime: Date.now() });
  }

  async read(key: string, range: ByteRange | undefined, sink: ChunkSink): Promise<void> {
    const { data } = this.get(key);
    const start = range?.start ?? 0;
    const end = range?.end === undefined ? data.length : range.end + 1;
    for (let off = start; off < end; off += CHUNK) await sink(data.subarray(off, Math.min(off + CHUNK, end)));
  }

  async writer(key: string, append: boolean): Promise<FileWriter> {
    checkKey(key);
    const existing = append ? this.objects.get(key)?.data : undefined;
    const initial = existing ? existing.length : 0;
    if (!existing) this.objects.set(key, { data: Buffer.alloc(0), modTime: Date.now() });
    const objects = this.objects;
    let written = 0;
    return {
      get size() {
        return initial + written;
      },
      async write(chunk) {
        const e = objects.get(key) ?? { data: Buffer.alloc(0), modTime: 0 };
        objects.set(key, { data: Buffer.concat([e.data, chunk]), modTime: Date.now() });
        written += chunk.length;
      },
      async commit() {},
      async cancel() {
        const e = objects.get(key);
        if (e) objects.set(key, { data: e.data.subarray(0, initial), modTime: e.modTime });
      },
    };
  }

  async stat(key: string): Promise<StatInfo | undefined> {
    checkKey(key);
    const e = this.objects.get(key);
    if (e) return { size: e.data.length, modTime: e.modTime, isDir: false };
    const prefix = `${key}/`;
    for (const k of this.objects.keys()) if (k.startsWith(prefix)) return { size: 0, modTime: 0, isDir: true };
    return undefined;
  }

  async list(prefix: string): Promise<string[]> {
    checkKey(prefix);
    const p = `${prefix}/`;
    const names = new Set<string>();
    for (const k of this.objects.keys()) {
      if (k.startsWith(p)) names.add(k.slice(p.length).split('/')[0]);
    }
    return [...names].sort();
  }

  async move(src: string, dst: string): Promise<void> {
    const e = this.get(src);
    checkKey(dst);
    this.objects.delete(src);
    this.objects.set(dst, e);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.objects.delete(key);
    const p = `${key}/`;
    for (const k of [...this.objects.keys()]) if (k.startsWith(p)) this.objects.delete(k);
  }
}

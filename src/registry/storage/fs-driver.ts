/**
 * The filesystem driver: every key is a file under the root folder.
 *
 * Keys map 1:1 to paths, so the registry's layout (../layout.ts) appears as-is:
 *
 *   ROOT/
 *     blobs/sha256/ab/abcdef…/data                      blob bytes
 *     repositories/<name>/_layers/sha256/<hex>/link     "blob is in repo"
 *     repositories/<name>/_manifests/revisions/sha256/<hex>/link   media type
 *     repositories/<name>/_manifests/tags/<tag>/current/link       digest
 *     repositories/<name>/_referrers/sha256/<subject-hex>/<alg>-<hex>/link  descriptor JSON
 *     repositories/<name>/_uploads/<uuid>/startedat, data           upload in progress
 *     …/.<name>.<random>.tmp     a put in progress (beside its target; never listed)
 *
 * Commits are atomic: putContent writes a temporary sibling, fsyncs it and
 * renames it into place; a writer's commit fsyncs; move is rename(2) (both
 * ends are under one root, one filesystem). Upload data is appended with
 * write(2), so it survives the process being killed (`kill -9`).
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic.ts';
import { InvalidArgumentError, isNotFound, NotFoundError } from '../../lib/errors.ts';
import { blobBuffers } from '../buffer-pool.ts';
import type { ByteRange, ChunkSink, FileWriter, StatInfo, StorageDriver } from './driver.ts';

function checkKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new InvalidArgumentError(`invalid storage key "${key}"`);
  }
}

export class FsDriver implements StorageDriver {
  readonly name = 'filesystem';
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  private path(key: string): string {
    checkKey(key);
    return join(this.root, key);
  }

  async getContent(key: string): Promise<Buffer> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if (isNotFound(e) || (e as { code?: string }).code === 'EISDIR') throw new NotFoundError(`${key}: not found`);
      throw e;
    }
  }

  async putContent(key: string, data: Uint8Array): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    await writeFileAtomic(p, data);
  }

  async read(key: string, range: ByteRange | undefined, sink: ChunkSink): Promise<void> {
    const fh = await open(this.path(key), 'r').catch((e) => {
      throw isNotFound(e) ? new NotFoundError(`${key}: not found`) : e;
    });
    const buf = blobBuffers.take();
    try {
      let pos = range?.start ?? 0;
      const end = range?.end ?? Number.POSITIVE_INFINITY;
      while (pos <= end) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos + 1), pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        await sink(buf.subarray(0, bytesRead));
      }
      // Given back only when every sink has settled (after an error, a write may still hold it).
      blobBuffers.give(buf);
    } finally {
      await fh.close();
    }
  }

  async writer(key: string, append: boolean): Promise<FileWriter> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    const fh = await open(p, append ? 'a' : 'w');
    const initial = append ? (await fh.stat()).size : 0;
    return new FsWriter(fh, initial);
  }

  async stat(key: string): Promise<StatInfo | undefined> {
    try {
      const s = await stat(this.path(key));
      return { size: s.size, modTime: s.mtimeMs, isDir: s.isDirectory() };
    } catch (e) {
      if (isNotFound(e) || (e as { code?: string }).code === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(prefix));
      return names.filter((n) => !n.startsWith('.')).sort();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
  }

  async move(src: string, dst: string): Promise<void> {
    const d = this.path(dst);
    await mkdir(dirname(d), { recursive: true });
    try {
      await rename(this.path(src), d);
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`${src}: not found`);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }
}

class FsWriter implements FileWriter {
  private fh: FileHandle;
  private readonly initial: number;
  private written = 0;
  constructor(fh: FileHandle, initial: number) {
    this.fh = fh;
    this.initial = initial;
  }
  get size(): number {
    return this.initial + this.written;
  }
  async write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.written += chunk.length;
  }
  async commit(): Promise<void> {
    try {
      await this.fh.datasync();
    } finally {
      await this.fh.close();
    }
  }
  async cancel(): Promise<void> {
    try {
      await this.fh.truncate(this.initial);
    } finally {
      await this.fh.close();
    }
  }
}

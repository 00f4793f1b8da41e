/**
 * Small regular files of a layer written several at once on the thread
 * pool: creating a file is the costly call of an unpack (the kernel's
 * create, a few hundred microseconds here), and one at a time leaves the
 * other core idle. The apply (layer-apply.ts) uses this only for a path
 * that nothing earlier in the same archive made, in a directory it started
 * empty, so a write never meets an existing file; anything that could touch
 * a file still being written waits for it first.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { TarEntry } from './tar-format.ts';

/** Files up to this size are buffered and written in parallel. */
export const PARALLEL_MAX_FILE = 1 << 20;
const MAX_FILES = 64;
const MAX_BYTES = 32 << 20;

export class ParallelFiles {
  private readonly pending = new Map<string, Promise<void>>();
  private bytes = 0;
  private failure: { error: unknown } | undefined;
  private readonly setXattrs: (target: string, e: TarEntry) => void;

  /** `setXattrs` runs after owner and mode are set (chown clears security.capability). */
  constructor(setXattrs: (target: string, e: TarEntry) => void) {
    this.setXattrs = setXattrs;
  }

  /** Throws the first error of an earlier write. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Waits for the write of `path`, if one is under way. */
  async wait(path: string): Promise<void> {
    const p = this.pending.get(path);
    if (p) await p;
    this.check();
  }

  /** Starts writing a file (the caller checked that `target` does not exist); waits while too much is under way. */
  async add(target: string, chunks: Buffer[], size: number, e: TarEntry): Promise<void> {
    this.check();
    while (this.pending.size >= MAX_FILES || (this.bytes > MAX_BYTES && this.pending.size > 0)) {
      await Promise.race(this.pending.values());
    }
    this.bytes += size;
    const p = this.write(target, chunks, size, e)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.bytes -= size;
        this.pending.delete(target);
      });
    this.pending.set(target, p);
  }

  /** Waits for every write under way; throws the first error. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
    this.check();
  }

  private async write(target: string, chunks: Buffer[], size: number, e: TarEntry): Promise<void> {
    const fh: FileHandle = await open(target, 'wx', 0o600);
    try {
      let off = chunks.length > 0 ? (await fh.writev(chunks)).bytesWritten : 0;
      if (off < size) {
        const rest = Buffer.concat(chunks, size);
        while (off < size) off += (await fh.write(rest, off, size - off)).bytesWritten;
      }
      await fh.chown(e.uid, e.gid);
      await fh.chmod(e.mode & 0o7777);
      this.setXattrs(target, e);
      await fh.utimes(e.mtime, e.mtime);
    } finally {
      await fh.close();
    }
  }
}

/**
 * Small regular files of a layer written several at once on the thread
 * pool: creating a file is the costly call of an unpack (the kernel's
 * create, a few hundred microseconds here), and one at a time leaves the
 * other core idle. The apply (layer-apply.ts) uses this only for a path
 * that nothing earlier in the same archive made, in a directory it started
 * empty, so a write never meets an existing file; anything that could touch
 * a file still being written waits for it first.
 *
 * Files go in batches, one thread-pool job each (native/berth_files.c: open,
 * write, chown, chmod, xattrs, utimes, close per file): a job per call cost
 * the main thread more in thread wake-ups than the calls themselves cost.
 * A batch leaves when it is full, or when something waits for one of its
 * files (`wait`, `drain`).
 */
import { nativeFiles } from '../sys/native.ts';
import type { TarEntry } from './tar-format.ts';

/** Files up to this size are buffered and written in parallel. */
export const PARALLEL_MAX_FILE = 1 << 20;
/** Jobs under way at once (the thread pool has four threads). */
const MAX_JOBS = 4;
const BATCH_FILES = 32;
const BATCH_BYTES = 1 << 20;
const MAX_BYTES = 32 << 20;

class Batch {
  readonly paths: string[] = [];
  readonly data: Buffer[][] = [];
  readonly meta: number[] = [];
  readonly xattrs: Array<Array<string | Buffer>> = [];
  bytes = 0;
}

export class ParallelFiles {
  /** Each file not yet written, with the job that writes it (undefined: still in the open batch). */
  private readonly pending = new Map<string, Promise<void> | undefined>();
  private readonly jobs = new Set<Promise<void>>();
  private open = new Batch();
  private bytes = 0;
  private failure: { error: unknown } | undefined;
  private readonly keepXattr: (name: string) => boolean;

  /** `keepXattr`: which of an entry's xattrs to set. */
  constructor(keepXattr: (name: string) => boolean) {
    this.keepXattr = keepXattr;
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
    if (this.pending.has(path)) {
      let p = this.pending.get(path);
      if (!p) p = this.flush();
      await p;
    }
    this.check();
  }

  /** Queues a file (the caller checked that `target` does not exist); waits while too much is under way. */
  async add(target: string, chunks: Buffer[], size: number, e: TarEntry): Promise<void> {
    this.check();
    const b = this.open;
    b.paths.push(target);
    b.data.push(chunks);
    b.meta.push(e.uid, e.gid, e.mode, e.mtime);
    const xs: Array<string | Buffer> = [];
    for (const [name, value] of e.xattrs) if (this.keepXattr(name)) xs.push(name, value);
    b.xattrs.push(xs);
    b.bytes += size;
    this.bytes += size;
    this.pending.set(target, undefined);
    if (b.paths.length < BATCH_FILES && b.bytes < BATCH_BYTES) return;
    this.flush();
    while (this.jobs.size >= MAX_JOBS || (this.bytes > MAX_BYTES && this.jobs.size > 0)) {
      await Promise.race(this.jobs);
    }
  }

  /** Waits for every write under way; throws the first error. */
  async drain(): Promise<void> {
    this.flush();
    while (this.jobs.size > 0) await Promise.all(this.jobs);
    this.check();
  }

  /** Sends the open batch to the thread pool; its job. */
  private flush(): Promise<void> {
    const b = this.open;
    if (b.paths.length === 0) return Promise.resolve();
    this.open = new Batch();
    const job = nativeFiles()
      .writeFiles(b.paths, b.data, Float64Array.from(b.meta), b.xattrs)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.bytes -= b.bytes;
        for (const p of b.paths) this.pending.delete(p);
        this.jobs.delete(job);
      });
    for (const p of b.paths) this.pending.set(p, job);
    this.jobs.add(job);
    return job;
  }
}

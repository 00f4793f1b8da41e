/**
 * Reusable buffers for the blob data paths. Streaming a blob through fresh
 * buffers leaves tens of MiB of dead ones until V8's next full GC (it runs
 * one per ~64 MiB of external memory), so the process grows while blobs
 * stream; a buffer taken from here and given back when its bytes are written
 * keeps memory flat: one or two buffers per transfer in flight, three kept when idle.
 */
export class BufferPool {
  readonly size: number;
  private readonly keep: number;
  private readonly free: Buffer[] = [];

  constructor(size: number, keep: number) {
    this.size = size;
    this.keep = keep;
  }

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Returns a buffer nobody reads or writes any more. */
  give(b: Buffer): void {
    if (b.length === this.size && this.free.length < this.keep && !this.free.includes(b)) this.free.push(b);
  }
}

/** 1 MiB: large enough that a blob costs few write(2) calls. */
export const blobBuffers = new BufferPool(1024 * 1024, 3);

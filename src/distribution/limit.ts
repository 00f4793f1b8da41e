/** A counting semaphore: at most `n` tasks at once, the rest wait in order. */
export class Limiter {
  private free: number;
  private queue: Array<() => void> = [];

  constructor(n: number) {
    this.free = Math.max(1, n);
  }

  /** True when a task would have to wait now. */
  get busy(): boolean {
    return this.free === 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.queue.push(r));
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    }
  }
}

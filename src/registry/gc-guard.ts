/**
 * What lets garbage collection run while the registry serves. While a sweep
 * is active, every blob a request looks at or links is "touched" and kept.
 * A blob the sweep has decided to delete is in `deleting`; a request that
 * touches it waits for the delete to finish and then sees it gone (and the
 * client uploads it again). Check-and-register is synchronous, so on one
 * event loop no request can slip between the sweep's check and its delete.
 */
import type { Digest } from '../lib/digest.ts';

export class GcGuard {
  private touched: Set<string> | undefined;
  private readonly deleting = new Map<string, Promise<void>>();

  /** Marks a blob as in use by a request. Call before looking at the blob. */
  touch(d: Digest): void {
    this.touched?.add(d);
  }

  /** Waits until a delete of this blob that is already under way has finished. */
  async settled(d: Digest): Promise<void> {
    const p = this.deleting.get(d);
    if (p) await p.catch(() => {});
  }

  /** touch + settled: what a request does before it trusts a blob's presence. */
  async use(d: Digest): Promise<void> {
    this.touch(d);
    await this.settled(d);
  }

  get active(): boolean {
    return this.touched !== undefined;
  }

  begin(): void {
    this.touched = new Set();
  }

  end(): void {
    this.touched = undefined;
  }

  /** Deletes the blob unless a request touched it; true when deleted. */
  async deleteUnlessTouched(d: Digest, del: () => Promise<void>): Promise<boolean> {
    if (this.touched?.has(d) || this.deleting.has(d)) return false;
    const p = del();
    this.deleting.set(d, p);
    try {
      await p;
    } finally {
      this.deleting.delete(d);
    }
    return true;
  }
}

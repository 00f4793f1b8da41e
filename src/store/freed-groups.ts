/**
 * Where layer directories were removed lately, by inode number. On ext4
 * without a journal, creating a file skips (one by one, on every create) the
 * inodes of its block group freed in the last 1–6 minutes, so a layer that
 * lands where the previous one was just removed (`rmi`, then `load` or
 * `pull` again) unpacks about twice as slowly. The snapshot root's chattr +T
 * lets ext4 choose a group per layer, but the group just emptied is often
 * its first choice (it has the fewest directories); the snapshotter asks
 * here and takes another name (ext4 starts its search from a hash of the
 * name) when the directory it made sits near a recent removal.
 *
 * Inode numbers are grouped by ext4's default flex group (16 groups of
 * 8,192 inodes). Elsewhere the numbers mean nothing and the worst outcome
 * is a few extra mkdir/rmdir.
 */
const FLEX_INODES = 16 * 8192;
/** How long freed inodes slow creates down: 60 s, 360 s while their table block is dirty. */
const RECENT_MS = 6 * 60_000;

export class FreedGroups {
  private readonly freed: Array<{ group: number; at: number }> = [];

  get empty(): boolean {
    return this.freed.length === 0;
  }

  /** A layer directory with inode `ino` is being removed. */
  record(ino: number, now = Date.now()): void {
    this.prune(now);
    this.freed.push({ group: Math.floor(ino / FLEX_INODES), at: now });
  }

  /** True if `ino` sits in a flex group where a layer directory was removed lately. */
  near(ino: number, now = Date.now()): boolean {
    this.prune(now);
    const g = Math.floor(ino / FLEX_INODES);
    return this.freed.some((f) => f.group === g);
  }

  private prune(now: number): void {
    while (this.freed.length > 0 && now - this.freed[0].at > RECENT_MS) this.freed.shift();
  }
}

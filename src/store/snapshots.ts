/**
 * OverlaySnapshotter: image layers unpacked once, stacked with overlayfs.
 *
 * On-disk layout (version 1) under the snapshotter's root:
 *
 *   <short>/fs     a committed layer's files, or an active snapshot's upper dir
 *   <short>/work   overlay workdir (active snapshots only)
 *
 * `short` is a base36 counter ("1", "2", … "zz", …): the key (chain ID or
 * container ID) lives only in the `snapshots` table, so that the lowerdir
 * option of an image with 128 layers fits in one page. A directory with no
 * row is an unfinished unpack (a crash) and is removed by `collectOrphans`.
 *
 * The root is marked as the top of unrelated trees (chattr +T, where the
 * file system has it): ext4 then puts each `<short>` in a block group of
 * its own choosing instead of beside the root. This matters after `rmi`:
 * on ext4 without a journal, creating a file skips (one by one, on every
 * create) the inodes of its group deleted in the last minutes, so a layer
 * unpacked where the previous one was just removed ran 2× slower; a new
 * directory near a recent removal is given up for another name
 * (freed-groups.ts).
 */

/** New directories given up, at most, for sitting near a recent removal. */
const MAX_REJECTED = 4;

import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../lib/digest.ts';
import { ConflictError, errnoCode, InvalidArgumentError, NotFoundError } from '../lib/errors.ts';
import { native } from '../sys/native.ts';
import type { Database } from './db.ts';
import { FreedGroups } from './freed-groups.ts';
import { mountAll, unmount } from './mount.ts';
import type { MountSpec, SnapshotInfo, Snapshotter } from './types.ts';

interface Row {
  key: string;
  short: string;
  parent: string | null;
  kind: string;
  diff_id: string | null;
  size: number;
  created_at: number;
}

function toInfo(r: Row): SnapshotInfo {
  const info: SnapshotInfo = {
    key: r.key,
    short: r.short,
    kind: r.kind === 'active' ? 'active' : 'committed',
    size: r.size,
    createdAt: r.created_at,
  };
  if (r.parent) info.parent = r.parent;
  if (r.diff_id) info.diffId = r.diff_id as Digest;
  return info;
}

export interface DetachedLayer {
  dir: string;
  commit(key: string, parent: string | undefined, diffId: Digest, size: number): Promise<SnapshotInfo>;
  abort(): Promise<void>;
}

export interface PreparedLayer {
  dir: string;
  commit(diffId: Digest, size: number): Promise<SnapshotInfo>;
  abort(): Promise<void>;
}

export class OverlaySnapshotter implements Snapshotter {
  readonly root: string;
  private readonly db: Database;
  private next = 1;
  /** Short names claimed on disk but not yet in the table. */
  private readonly pending = new Set<string>();
  private readonly freed = new FreedGroups();

  constructor(db: Database, root: string) {
    this.db = db;
    this.root = root;
  }

  async init(): Promise<this> {
    await mkdir(this.root, { recursive: true });
    try {
      native().topDir(this.root);
    } catch {
      // only a placement hint
    }
    let max = 0;
    const names = [
      ...(this.db.prepare('SELECT short FROM snapshots').all() as Array<{ short: string }>).map((r) => r.short),
      ...(await readdir(this.root)),
    ];
    for (const s of names) {
      const n = Number.parseInt(s, 36);
      if (Number.isSafeInteger(n) && n > max) max = n;
    }
    this.next = max + 1;
    return this;
  }

  /** Claims a new short name by creating its directory; for a `layer`, not near a recent removal if it can. */
  private async claim(layer = false): Promise<string> {
    const rejected: string[] = [];
    try {
      for (;;) {
        const short = (this.next++).toString(36);
        const dir = join(this.root, short);
        try {
          await mkdir(dir);
        } catch (e) {
          if (errnoCode(e) !== 'EEXIST') throw e;
          continue;
        }
        if (layer && rejected.length < MAX_REJECTED && !this.freed.empty && this.freed.near((await stat(dir)).ino)) {
          rejected.push(dir); // kept until a name is found: one more directory there makes ext4 look elsewhere
          continue;
        }
        this.pending.add(short);
        return short;
      }
    } finally {
      for (const d of rejected) await rmdir(d).catch(() => {});
    }
  }

  /** Removes a snapshot's directory; for a `layer`, notes where its inodes were. */
  private async removeDir(short: string, layer: boolean): Promise<void> {
    const dir = join(this.root, short);
    if (layer) {
      try {
        this.freed.record((await stat(dir)).ino);
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  private row(key: string): Row | undefined {
    return this.db.prepare('SELECT * FROM snapshots WHERE key = ?').get(key) as Row | undefined;
  }

  stat(key: string): SnapshotInfo | undefined {
    const r = this.row(key);
    return r ? toInfo(r) : undefined;
  }

  list(): SnapshotInfo[] {
    return (this.db.prepare('SELECT * FROM snapshots ORDER BY created_at, short').all() as unknown as Row[]).map(
      toInfo,
    );
  }

  private requireParent(parent: string | undefined): void {
    if (parent === undefined) return;
    const p = this.row(parent);
    if (!p) throw new NotFoundError(`parent snapshot ${parent} not found`);
    if (p.kind !== 'committed') throw new InvalidArgumentError(`parent snapshot ${parent} is not committed`);
  }

  private insert(
    key: string,
    short: string,
    parent: string | undefined,
    kind: string,
    diffId: Digest | null,
    size: number,
  ): void {
    this.db
      .prepare(
        'INSERT INTO snapshots (key, short, parent, kind, diff_id, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(key, short, parent ?? null, kind, diffId, size, Date.now());
  }

  async prepareLayer(key: string, parent: string | undefined): Promise<PreparedLayer> {
    if (this.row(key)) throw new ConflictError(`snapshot ${key} already exists`);
    this.requireParent(parent);
    const d = await this.prepareDetached();
    return {
      dir: d.dir,
      commit: (diffId: Digest, size: number) => d.commit(key, parent, diffId, size),
      abort: () => d.abort(),
    };
  }

  /**
   * A directory to unpack a layer into before its chain ID (or its parent)
   * is known: layers unpack side by side, each is committed under its key
   * once it checked out and its parent is committed.
   */
  async prepareDetached(): Promise<DetachedLayer> {
    const short = await this.claim(true);
    const base = join(this.root, short);
    const dir = join(base, 'fs');
    const discard = async () => {
      await this.removeDir(short, true);
      this.pending.delete(short);
    };
    try {
      await mkdir(dir, 0o755);
    } catch (e) {
      await discard();
      throw e;
    }
    let done = false;
    return {
      dir,
      commit: async (key: string, parent: string | undefined, diffId: Digest, size: number) => {
        if (done) throw new ConflictError(`snapshot ${key}: prepared layer already committed or aborted`);
        done = true;
        const existing = this.row(key);
        if (existing) {
          // another unpack of the same layer won the race: keep its copy
          await discard();
          return toInfo(existing);
        }
        try {
          this.requireParent(parent);
          this.insert(key, short, parent, 'committed', diffId, size);
        } catch (e) {
          await discard();
          throw e;
        }
        this.pending.delete(short);
        return this.stat(key)!;
      },
      abort: async () => {
        if (done) return;
        done = true;
        await discard();
      },
    };
  }

  async createActive(key: string, parent: string | undefined): Promise<SnapshotInfo> {
    if (this.row(key)) throw new ConflictError(`snapshot ${key} already exists`);
    this.requireParent(parent);
    const short = await this.claim();
    const base = join(this.root, short);
    try {
      await mkdir(join(base, 'fs'), 0o755);
      await mkdir(join(base, 'work'), 0o700);
      if (this.row(key)) throw new ConflictError(`snapshot ${key} already exists`);
      this.insert(key, short, parent, 'active', null, 0);
    } catch (e) {
      await rm(base, { recursive: true, force: true });
      throw e;
    } finally {
      this.pending.delete(short);
    }
    return this.stat(key)!;
  }

  private need(key: string): Row {
    const r = this.row(key);
    if (!r) throw new NotFoundError(`snapshot ${key} not found`);
    return r;
  }

  /** The fs dirs of `key`'s committed ancestors, nearest first. */
  private chain(parent: string | null): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let k = parent; k; ) {
      if (seen.has(k)) throw new Error(`snapshot chain loops at ${k}`);
      seen.add(k);
      const r = this.need(k);
      out.push(join(this.root, r.short, 'fs'));
      k = r.parent;
    }
    return out;
  }

  dirs(key: string): { upper?: string; work?: string; lowers: string[] } {
    const r = this.need(key);
    const fs = join(this.root, r.short, 'fs');
    if (r.kind === 'active') {
      return { upper: fs, work: join(this.root, r.short, 'work'), lowers: this.chain(r.parent) };
    }
    return { lowers: [fs, ...this.chain(r.parent)] };
  }

  mounts(key: string): MountSpec[] {
    const { upper, work, lowers } = this.dirs(key);
    if (upper && work) {
      if (lowers.length === 0) return [{ type: 'bind', source: upper, options: ['rbind', 'rw'] }];
      return [
        {
          type: 'overlay',
          source: 'overlay',
          options: [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`, 'index=off'],
        },
      ];
    }
    if (lowers.length === 1) return [{ type: 'bind', source: lowers[0], options: ['rbind', 'ro'] }];
    return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`, 'index=off'] }];
  }

  /** Mounts snapshot `key` as one tree on `target` (created if missing). */
  mountAt(key: string, target: string): void {
    mountAll(this.mounts(key), target);
  }

  /** Unmounts what `mountAt` mounted. */
  unmount(target: string): void {
    unmount(target);
  }

  async remove(key: string): Promise<void> {
    const r = this.need(key);
    const child = this.db.prepare('SELECT key FROM snapshots WHERE parent = ? LIMIT 1').get(key) as
      | { key: string }
      | undefined;
    if (child) throw new ConflictError(`snapshot ${key} has a child (${child.key})`);
    this.db.prepare('DELETE FROM snapshots WHERE key = ?').run(key);
    await this.removeDir(r.short, r.kind === 'committed');
  }

  /** Removes directories with no row (unpacks cut short by a crash). Returns how many. */
  async collectOrphans(): Promise<number> {
    const known = new Set(
      (this.db.prepare('SELECT short FROM snapshots').all() as Array<{ short: string }>).map((r) => r.short),
    );
    let n = 0;
    for (const name of await readdir(this.root)) {
      if (known.has(name) || this.pending.has(name)) continue;
      await rm(join(this.root, name), { recursive: true, force: true });
      n++;
    }
    return n;
  }
}

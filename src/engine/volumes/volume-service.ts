/**
 * Named and anonymous volumes with the `local` driver.
 *
 * On disk: DATA_ROOT/volumes/NAME/_data — the volume's content, or the
 * mount point of its device when created with driver options (`type=tmpfs`,
 * `o=bind device=/path`, …), mounted at first use and unmounted at removal.
 * Records live in the `volumes` table.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import { treeSize } from '../../lib/tree-size.ts';
import type { Database } from '../../store/db.ts';
import { unmount } from '../../store/mount.ts';
import { MS, native } from '../../sys/native.ts';
import type { Volume, VolumeCreateRequest } from '../../wire/volumes.ts';
import type { EventBus } from '../events.ts';
import { type Filters, filterBool, matchLabels } from '../filters.ts';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export class VolumeService {
  private db: Database;
  private root: string;
  private events: EventBus;
  /** Who uses a volume (container IDs). */
  private users: (name: string) => string[] = () => [];

  constructor(db: Database, dataRoot: string, events: EventBus) {
    this.db = db;
    this.root = join(dataRoot, 'volumes');
    this.events = events;
    mkdirSync(this.root, { recursive: true, mode: 0o701 });
  }

  setUsers(fn: (name: string) => string[]): void {
    this.users = fn;
  }

  find(name: string): Volume | undefined {
    const row = this.db.prepare('SELECT record FROM volumes WHERE name = ?').get(name) as
      | { record: string }
      | undefined;
    return row ? (JSON.parse(row.record) as Volume) : undefined;
  }

  get(name: string): Volume {
    const v = this.find(name);
    if (!v) throw new NotFoundError(`get ${name}: no such volume`);
    return v;
  }

  all(): Volume[] {
    return (this.db.prepare('SELECT record FROM volumes ORDER BY name').all() as Array<{ record: string }>).map(
      (r) => JSON.parse(r.record) as Volume,
    );
  }

  /** Creates a volume (a name that exists returns the existing one, as Docker does). */
  create(req: VolumeCreateRequest, anonymous = false): Volume {
    const name = req.Name || randomId();
    if (!NAME_RE.test(name))
      throw new InvalidArgumentError(
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`,
      );
    const existing = this.find(name);
    if (existing) return existing;
    const driver = req.Driver || 'local';
    if (driver !== 'local')
      throw new InvalidArgumentError(`volume driver "${driver}" is not available: only "local" is`);
    const opts = req.DriverOpts ?? {};
    for (const k of Object.keys(opts))
      if (!['type', 'o', 'device'].includes(k)) throw new InvalidArgumentError(`invalid option key: "${k}"`);
    if (opts.o?.split(',').includes('bind') && (!opts.device || !existsSync(opts.device))) {
      throw new InvalidArgumentError(`invalid bind volume: device ${opts.device ?? '(none)'} does not exist`);
    }
    const mountpoint = join(this.root, name, '_data');
    mkdirSync(mountpoint, { recursive: true, mode: 0o755 });
    const v: Volume = {
      Name: name,
      Driver: 'local',
      Mountpoint: mountpoint,
      CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Labels: { ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}), ...req.Labels },
      Scope: 'local',
      Options: Object.keys(opts).length ? opts : null,
    };
    this.db.prepare('INSERT INTO volumes (name, record) VALUES (?, ?)').run(name, JSON.stringify(v));
    this.events.publish('volume', 'create', name, { driver: 'local' });
    return v;
  }

  /** Mounts the volume's device (driver options) if it has one and is not mounted yet. */
  prepare(v: Volume): void {
    const o = v.Options;
    if (!o?.type && !o?.device) return;
    if (isMountpoint(v.Mountpoint)) return;
    const flags = (o.o ?? '').split(',').filter(Boolean);
    if (flags.includes('bind')) {
      native().mount(o.device as string, v.Mountpoint, null, MS.BIND | MS.REC, null);
      return;
    }
    const data = flags.filter((f) => !['ro', 'rw'].includes(f)).join(',') || null;
    native().mount(
      o.device ?? o.type ?? 'none',
      v.Mountpoint,
      o.type ?? null,
      flags.includes('ro') ? MS.RDONLY : 0,
      data,
    );
  }

  isEmpty(v: Volume): boolean {
    try {
      return readdirSync(v.Mountpoint).length === 0;
    } catch {
      return true;
    }
  }

  remove(name: string, force = false): void {
    const v = this.find(name);
    if (!v) {
      if (force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    if (isMountpoint(v.Mountpoint)) unmount(v.Mountpoint);
    rmSync(join(this.root, name), { recursive: true, force: true });
    this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
    this.events.publish('volume', 'destroy', name, { driver: 'local' });
  }

  list(f: Filters): Volume[] {
    const dangling = filterBool(f, 'dangling');
    return this.all().filter((v) => {
      const used = this.users(v.Name).length > 0;
      if (dangling === true && used) return false;
      if (dangling === false && !used) return false;
      if (f.has('name') && !(f.get('name') as string[]).some((n) => v.Name.includes(n))) return false;
      if (f.has('driver') && !(f.get('driver') as string[]).includes(v.Driver)) return false;
      return matchLabels(f, v.Labels ?? {});
    });
  }

  /** `docker volume prune`: unused anonymous volumes (all unused with `all=true`). */
  prune(f: Filters): { VolumesDeleted: string[]; SpaceReclaimed: number } {
    const all = filterBool(f, 'all') === true;
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.all()) {
      if (this.users(v.Name).length) continue;
      if (!all && !(ANONYMOUS_LABEL in (v.Labels ?? {}))) continue;
      if (!matchLabels(f, v.Labels ?? {})) continue;
      reclaimed += treeSize(v.Mountpoint);
      this.remove(v.Name);
      deleted.push(v.Name);
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  /** `system df`: every volume with its size and how many containers use it. */
  usage(): Volume[] {
    return this.all().map((v) => ({
      ...v,
      UsageData: { Size: treeSize(v.Mountpoint), RefCount: this.users(v.Name).length },
    }));
  }

  /** Copies `src` (a directory of the image) into an empty volume, keeping owners and modes. */
  seed(v: Volume, src: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!existsSync(src)) return resolve();
      const p = spawn('cp', ['-a', `${src}/.`, v.Mountpoint], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`seeding volume ${v.Name} failed: ${err.trim()}`)),
      );
    });
  }
}

function isMountpoint(path: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${path} `);
  } catch {
    return false;
  }
}

/**
 * A container's filesystem from outside: `docker cp` (archive GET/HEAD/PUT),
 * `docker export`, `docker diff` and `docker commit`. A stopped container's
 * root is mounted for the time of the operation; paths under a volume or
 * bind mount are served from the mount's source.
 */
import { lstatSync, mkdirSync, readlinkSync, rmSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, isNotFound, NotFoundError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import { treeSize } from '../../lib/tree-size.ts';
import { applyLayer } from '../../store/layer-apply.ts';
import { changes, diffLayer, tarDirectory } from '../../store/layer-diff.ts';
import type { OverlaySnapshotter } from '../../store/snapshots.ts';
import type { ContainerService } from './container-service.ts';
import type { ContainerRecord } from './record.ts';
import { resolveInRoot } from './rootfs-path.ts';

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits, as the docker CLI reads them. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

const GO_DIR = 0x80000000;
const GO_SYMLINK = 0x08000000;
const GO_DEVICE = 0x04000000;
const GO_PIPE = 0x02000000;
const GO_SOCKET = 0x01000000;
const GO_SETUID = 0x00800000;
const GO_SETGID = 0x00400000;
const GO_CHARDEV = 0x00200000;
const GO_STICKY = 0x00100000;

function goMode(st: import('node:fs').Stats): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m |= GO_DIR;
  if (st.isSymbolicLink()) m |= GO_SYMLINK;
  if (st.isBlockDevice()) m |= GO_DEVICE;
  if (st.isCharacterDevice()) m |= GO_DEVICE | GO_CHARDEV;
  if (st.isFIFO()) m |= GO_PIPE;
  if (st.isSocket()) m |= GO_SOCKET;
  if (st.mode & 0o4000) m |= GO_SETUID;
  if (st.mode & 0o2000) m |= GO_SETGID;
  if (st.mode & 0o1000) m |= GO_STICKY;
  return m >>> 0;
}

export class ContainerFilesystem {
  private svc: ContainerService;
  private snapshots: OverlaySnapshotter;
  private tmpRoot: string;

  constructor(svc: ContainerService, snapshots: OverlaySnapshotter, execRoot: string) {
    this.svc = svc;
    this.snapshots = snapshots;
    this.tmpRoot = join(execRoot, 'mnt');
  }

  /** Runs fn with the container's root mounted (already, when it runs). */
  async withRoot<T>(rec: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T> {
    if (rec.State.Running) return fn(this.svc.paths(rec.Id).rootfs);
    const dir = join(this.tmpRoot, randomId().slice(0, 12));
    mkdirSync(dir, { recursive: true });
    this.snapshots.mountAt(rec.snapshotKey, dir);
    try {
      return await fn(dir);
    } finally {
      this.snapshots.unmount(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Host path of a container path: through a volume/bind mount when under one, else in the root. */
  private hostPath(rec: ContainerRecord, root: string, path: string, followLast = true): string {
    const clean = posix.normalize(`/${path}`);
    const mounts = [...rec.Mounts].filter((m) => m.Source).sort((a, b) => b.Destination.length - a.Destination.length);
    for (const m of mounts) {
      if (clean === m.Destination || clean.startsWith(`${m.Destination}/`)) {
        return resolveInRoot(m.Source, clean.slice(m.Destination.length) || '/', followLast);
      }
    }
    return resolveInRoot(root, clean, followLast);
  }

  private statOf(host: string, path: string): PathStat {
    let st: import('node:fs').Stats;
    try {
      st = lstatSync(host);
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`Could not find the file ${path} in container`);
      throw e;
    }
    let linkTarget = '';
    if (st.isSymbolicLink()) linkTarget = readlinkSync(host);
    return { name: basename(path) || '/', size: st.size, mode: goMode(st), mtime: st.mtime.toISOString(), linkTarget };
  }

  async stat(ref: string, path: string): Promise<PathStat> {
    const rec = this.svc.get(ref);
    return this.withRoot(rec, async (root) => this.statOf(this.hostPath(rec, root, path, false), path));
  }

  /** `GET archive`: a tar of the path (a directory's entries under its name; `dir/.` without it). */
  async get(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable; done: () => Promise<void> }> {
    const rec = this.svc.get(ref);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let result: { stat: PathStat; tar: Readable } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      void this.withRoot(rec, async (root) => {
        try {
          const host = this.hostPath(rec, root, path, !path.endsWith('/.') && path.endsWith('/'));
          const stat = this.statOf(host, path);
          const contentsOnly = path.endsWith('/.');
          const tar = tarDirectory(
            host,
            contentsOnly ? {} : { prefix: basename(posix.normalize(path)) || '.', includeRoot: true },
          );
          result = { stat, tar };
          resolve();
        } catch (e) {
          reject(e);
          release();
        }
        await held;
      }).catch(reject);
    });
    await ready;
    const r = result as { stat: PathStat; tar: Readable };
    r.tar.once('close', release);
    r.tar.once('end', release);
    return { ...r, done: async () => release() };
  }

  /** `PUT archive`: extracts a tar into an existing directory of the container. */
  async put(ref: string, path: string, src: Readable, noOverwriteDirNonDir = false): Promise<void> {
    const rec = this.svc.get(ref);
    if (rec.HostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
    void noOverwriteDirNonDir;
    await this.withRoot(rec, async (root) => {
      const host = this.hostPath(rec, root, path);
      let st: import('node:fs').Stats;
      try {
        st = lstatSync(host);
      } catch (e) {
        if (isNotFound(e)) throw new NotFoundError(`Could not find the file ${path} in container ${rec.Name.slice(1)}`);
        throw e;
      }
      if (!st.isDirectory()) throw new InvalidArgumentError(`extraction point is not a directory: ${path}`);
      await applyLayer(src, host, { whiteouts: false });
    });
  }

  /** `docker export`: the whole root filesystem as a tar. */
  async export(ref: string): Promise<{ tar: Readable }> {
    const rec = this.svc.get(ref);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let tar: Readable | undefined;
    await new Promise<void>((resolve, reject) => {
      void this.withRoot(rec, async (root) => {
        tar = tarDirectory(root, {});
        resolve();
        await held;
      }).catch(reject);
    });
    const t = tar as Readable;
    t.once('close', release);
    t.once('end', release);
    return { tar: t };
  }

  /** `docker diff`: what the container changed over its image. */
  async diff(ref: string): Promise<Array<{ Path: string; Kind: 0 | 1 | 2 }>> {
    const rec = this.svc.get(ref);
    const d = this.snapshots.dirs(rec.snapshotKey);
    if (!d.upper) return [];
    // Mount points the runtime made (etc files, volumes) are Berth's, not the user's changes.
    const own = new Set([
      '/etc/hostname',
      '/etc/hosts',
      '/etc/resolv.conf',
      ...rec.Mounts.map((m) => m.Destination),
      ...Object.keys(rec.HostConfig.Tmpfs ?? {}),
    ]);
    const all = await changes(d.upper, d.lowers);
    const kept = all.filter((c) => !own.has(c.Path));
    return kept.filter(
      (c) =>
        c.Kind !== 0 ||
        !all.some((x) => own.has(x.Path) && x.Path.startsWith(`${c.Path}/`)) ||
        kept.some((x) => x !== c && x.Path.startsWith(`${c.Path}/`)),
    );
  }

  /** `ps -s` / `inspect -s`: bytes written by the container, and with its image. */
  sizes(rec: ContainerRecord, imageSize: number): { SizeRw: number; SizeRootFs: number } {
    const d = this.snapshots.dirs(rec.snapshotKey);
    const rw = d.upper ? treeSize(d.upper) : 0;
    return { SizeRw: rw, SizeRootFs: imageSize + rw };
  }

  /** The container's writable layer as an OCI layer tar (for commit). */
  layer(ref: string): Readable {
    const rec = this.svc.get(ref);
    const d = this.snapshots.dirs(rec.snapshotKey);
    if (!d.upper) throw new InvalidArgumentError(`container ${rec.Id} has no writable layer`);
    const skip = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf']);
    return diffLayer(d.upper, { exclude: (rel) => skip.has(rel) });
  }
}

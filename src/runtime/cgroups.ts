/**
 * The host's cgroup layout and what it means for the runtimes:
 * - `unified`: cgroup2 mounted at /sys/fs/cgroup (v2 only);
 * - `legacy`: v1 hierarchies only;
 * - `hybrid`: v1 hierarchies plus a cgroup2 at /sys/fs/cgroup/unified.
 * crun 1.8 refuses `hybrid` while that cgroup2 holds any controller (here:
 * hugetlb, until it is mounted as a v1 hierarchy); runc does not mind.
 * Berth never remounts anything itself: the daemon falls back to runc and
 * says why (runtimeSupport()).
 */
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BINARIES, type RuntimeName } from './runtime-cli.ts';

export type CgroupLayoutKind = 'unified' | 'legacy' | 'hybrid';

export interface CgroupLayout {
  kind: CgroupLayoutKind;
  /** v1 controller → mount point (e.g. memory → /sys/fs/cgroup/memory). */
  v1: Map<string, string>;
  /** Mount point of the cgroup2 hierarchy, if any. */
  v2?: string;
  /** Controllers the cgroup2 root offers (cgroup.controllers). */
  v2Controllers: string[];
}

/** Parses /proc/self/mountinfo (text given for tests). */
export function detectCgroupLayout(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupLayout {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountPoint = (left[4] ?? '').replace(/\\040/g, ' ');
    const fstype = right[0];
    if (fstype === 'cgroup2') v2 ??= mountPoint;
    else if (fstype === 'cgroup') {
      for (const opt of (right[2] ?? '').split(',')) {
        if (['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(opt) || opt.startsWith('release_agent')) {
          continue;
        }
        if (!v1.has(opt)) v1.set(opt, mountPoint);
      }
    }
  }
  let v2Controllers: string[] = [];
  if (v2) {
    try {
      v2Controllers = readFileSync(join(v2, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      // unreadable: treat as none
    }
  }
  const kind: CgroupLayoutKind = v1.size === 0 && v2 ? 'unified' : v2 ? 'hybrid' : 'legacy';
  const out: CgroupLayout = { kind, v1, v2Controllers };
  if (v2) out.v2 = v2;
  return out;
}

export interface RuntimeSupport {
  crun: { ok: boolean; reason?: string };
  runc: { ok: boolean; reason?: string };
}

/** Which runtimes can create containers on this host, and why not. */
export function runtimeSupport(
  layout: CgroupLayout = detectCgroupLayout(),
  binaries: Record<RuntimeName, string> = DEFAULT_BINARIES,
): RuntimeSupport {
  const present = (name: RuntimeName) =>
    existsSync(binaries[name]) ? { ok: true } : { ok: false, reason: `${binaries[name]} not found` };
  const crun: { ok: boolean; reason?: string } = present('crun');
  if (crun.ok && layout.kind === 'hybrid' && layout.v2Controllers.length > 0) {
    crun.ok = false;
    crun.reason =
      `cgroup layout is hybrid and the cgroup2 hierarchy at ${layout.v2} holds controllers ` +
      `(${layout.v2Controllers.join(' ')}); crun refuses that ("cgroups in hybrid mode not supported") ` +
      `until they are mounted as v1 hierarchies (e.g. mount -t cgroup -o ${layout.v2Controllers[0]} cgroup DIR)`;
  }
  return { crun, runc: present('runc') };
}

/** Directories of a cgroup in every hierarchy (v1: one per mount; v2: one). */
export function cgroupDirs(cgroupsPath: string, layout: CgroupLayout = detectCgroupLayout()): string[] {
  if (layout.kind === 'unified') return [join(layout.v2!, cgroupsPath)];
  const dirs = new Set<string>();
  for (const mp of layout.v1.values()) dirs.add(join(mp, cgroupsPath));
  if (layout.v2) dirs.add(join(layout.v2, cgroupsPath)); // hybrid: runc makes one there too
  return [...dirs];
}

/**
 * Removes a cgroup (e.g. the daemon's parent) and any empty children left
 * behind, in every hierarchy. Fails quietly where processes still live.
 */
export function removeCgroupTree(cgroupsPath: string, layout: CgroupLayout = detectCgroupLayout()): void {
  const rm = (dir: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) rm(join(dir, e));
    try {
      rmdirSync(dir);
    } catch {
      // busy or gone
    }
  };
  for (const d of cgroupDirs(cgroupsPath, layout)) rm(d);
}

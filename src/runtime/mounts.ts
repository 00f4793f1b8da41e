/**
 * The container's mounts: Docker's standard set (/proc, a tmpfs /dev with
 * pts, shm and mqueue, read-only /sys and its cgroup view) then the user's
 * bind and tmpfs mounts, and the /proc and /sys paths Docker masks or makes
 * read-only.
 */
import { isAbsolute, posix } from 'node:path';
import { InvalidArgumentError } from '../lib/errors.ts';
import type { OciMount } from './oci-types.ts';
import type { MountInput } from './spec-input.ts';

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Paths Docker hides (bind of /dev/null or an empty ro tmpfs). */
export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths Docker makes read-only. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function defaultMounts(opts: { shmSize?: number; privileged?: boolean }): OciMount[] {
  const shm = opts.shmSize && opts.shmSize > 0 ? opts.shmSize : DEFAULT_SHM_SIZE;
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', opts.privileged ? 'rw' : 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', opts.privileged ? 'rw' : 'ro'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shm}`],
    },
  ];
}

function checkTarget(target: string): string {
  if (!isAbsolute(target)) throw new InvalidArgumentError(`mount target must be an absolute path: ${target}`);
  const clean = posix.normalize(target);
  if (clean === '/') throw new InvalidArgumentError('cannot mount over /');
  return clean;
}

export function userMount(m: MountInput): OciMount {
  const destination = checkTarget(m.target);
  if (m.type === 'bind') {
    if (!isAbsolute(m.source)) throw new InvalidArgumentError(`bind source must be an absolute path: ${m.source}`);
    const options = [m.recursive === false ? 'bind' : 'rbind', m.readonly ? 'ro' : 'rw'];
    options.push(m.propagation ?? 'rprivate');
    return { destination, type: 'bind', source: m.source, options };
  }
  const options = ['nosuid', 'nodev', 'noexec'];
  for (const o of m.options ?? []) {
    if (o === 'exec') options.splice(options.indexOf('noexec'), 1);
    else if (o === 'suid') options.splice(options.indexOf('nosuid'), 1);
    else if (o === 'dev') options.splice(options.indexOf('nodev'), 1);
    else if (!options.includes(o)) options.push(o);
  }
  if (m.size !== undefined) options.push(`size=${m.size}`);
  if (m.mode !== undefined) options.push(`mode=${m.mode.toString(8)}`);
  if (m.readonly) options.push('ro');
  return { destination, type: 'tmpfs', source: 'tmpfs', options };
}

/** Standard mounts, with user mounts replacing any standard one at the same destination. */
export function buildMounts(
  user: MountInput[] | undefined,
  opts: { shmSize?: number; privileged?: boolean },
): OciMount[] {
  const mine = (user ?? []).map(userMount);
  const taken = new Set(mine.map((m) => m.destination));
  const seen = new Set<string>();
  for (const m of mine) {
    if (seen.has(m.destination)) throw new InvalidArgumentError(`duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  // Sorted by depth so that a parent is mounted before what goes inside it.
  const depth = (p: string) => p.split('/').length;
  mine.sort((a, b) => depth(a.destination) - depth(b.destination));
  return [...defaultMounts(opts).filter((m) => !taken.has(m.destination)), ...mine];
}

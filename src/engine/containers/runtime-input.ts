/**
 * A container record, as the runtime layer needs it: the OCI process,
 * mounts, security and resources (src/runtime builds config.json from this).
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../../lib/errors.ts';
import type { MountInput, ResourcesInput, RuntimeSpecInput, SeccompInput } from '../../runtime/spec-input.ts';
import type { HostConfig } from '../../wire/containers.ts';
import type { ContainerPaths } from './paths.ts';
import type { ContainerRecord } from './record.ts';
import type { ResolvedUser } from './user.ts';

/** A static init for `--init` (bind-mounted at /sbin/docker-init, as Docker does). */
const INIT_BINARIES = ['/usr/bin/catatonit', '/usr/bin/tini-static'];
export const INIT_PATH = '/sbin/docker-init';

export function initBinary(): string {
  const found = INIT_BINARIES.find((p) => existsSync(p));
  if (!found) throw new InvalidArgumentError('--init needs catatonit or tini-static: apt-get install catatonit');
  return found;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid size: ${s}`);
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** `--tmpfs /run:size=64m,mode=1777,noexec`. */
export function tmpfsMounts(t: Record<string, string> | null | undefined): MountInput[] {
  return Object.entries(t ?? {}).map(([target, opts]) => {
    let size: number | undefined;
    let mode: number | undefined;
    const options: string[] = [];
    for (const o of (opts ?? '').split(',').filter(Boolean)) {
      const [k, v] = o.split('=');
      if (k === 'size') size = parseSize(v);
      else if (k === 'mode') mode = Number.parseInt(v, 8);
      else options.push(o);
    }
    return { type: 'tmpfs', target, size, mode, options };
  });
}

/** `-v /host:/ctr[:ro|rw][,propagation]` for host paths (named volumes are resolved before this). */
export function bindMount(spec: string): MountInput {
  const parts = spec.split(':');
  if (parts.length < 2) throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  const [source, target, mode = ''] = parts;
  if (!target.startsWith('/'))
    throw new InvalidArgumentError(`invalid volume specification: '${spec}': mount path must be absolute`);
  const flags = mode.split(',').filter(Boolean);
  const propagation = flags.find((f) => /^r?(shared|slave|private)$/.test(f)) as MountInput extends infer M
    ? M extends { propagation?: infer P }
      ? P
      : never
    : never;
  return { type: 'bind', source, target, readonly: flags.includes('ro'), propagation: propagation || undefined };
}

function seccompOf(opts: string[]): SeccompInput {
  for (const o of opts) {
    const [k, v] = o.includes('=') ? [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] : o.split(':');
    if (k === 'seccomp') {
      if (v === 'unconfined') return { mode: 'unconfined' };
      if (v === 'builtin' || v === 'default') return { mode: 'default' };
      return { mode: 'profile', json: v };
    }
  }
  return { mode: 'default' };
}

/** Docker's resource fields of a HostConfig in the runtime layer's terms (0 and '' mean unset). */
export function resourcesOf(hc: HostConfig): ResourcesInput {
  return {
    memory: hc.Memory || undefined,
    memorySwap: hc.MemorySwap || undefined,
    memoryReservation: hc.MemoryReservation || undefined,
    nanoCpus: hc.NanoCpus || undefined,
    cpuShares: hc.CpuShares || undefined,
    cpuQuota: hc.CpuQuota || undefined,
    cpuPeriod: hc.CpuPeriod || undefined,
    cpusetCpus: hc.CpusetCpus || undefined,
    cpusetMems: hc.CpusetMems || undefined,
    pidsLimit: hc.PidsLimit ?? undefined,
    blkioWeight: hc.BlkioWeight || undefined,
  };
}

export interface RuntimeInputParts {
  rec: ContainerRecord;
  paths: ContainerPaths;
  user: ResolvedUser;
  /** Mounts resolved by the engine (volumes, binds) beyond the etc files. */
  mounts: MountInput[];
  /** A network namespace to join (bridge networks), or private (none). */
  netns?: string;
  cgroupParent: string;
}

export function runtimeInput(p: RuntimeInputParts): RuntimeSpecInput {
  const { rec, paths, user } = p;
  const hc: HostConfig = rec.HostConfig;
  const c = rec.Config;
  let args = [rec.Path, ...rec.Args];
  const mounts: MountInput[] = [
    { type: 'bind', source: paths.hostname, target: '/etc/hostname', readonly: !!hc.ReadonlyRootfs },
    { type: 'bind', source: paths.hosts, target: '/etc/hosts', readonly: !!hc.ReadonlyRootfs },
    { type: 'bind', source: paths.resolvConf, target: '/etc/resolv.conf', readonly: !!hc.ReadonlyRootfs },
    ...p.mounts,
    ...tmpfsMounts(hc.Tmpfs),
  ];
  if (hc.Init) {
    mounts.push({ type: 'bind', source: initBinary(), target: INIT_PATH, readonly: true });
    args = [INIT_PATH, '--', ...args];
  }
  const sec = hc.SecurityOpt ?? [];
  const env = [...c.Env];
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  if (c.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${c.Hostname}`);
  return {
    id: rec.Id,
    rootfs: paths.rootfs,
    readonlyRootfs: !!hc.ReadonlyRootfs,
    process: {
      args,
      env,
      cwd: c.WorkingDir || '/',
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
      tty: c.Tty,
      consoleSize:
        hc.ConsoleSize && hc.ConsoleSize[0] > 0 ? { height: hc.ConsoleSize[0], width: hc.ConsoleSize[1] } : undefined,
      noNewPrivileges: sec.some(
        (s) => s === 'no-new-privileges' || s === 'no-new-privileges:true' || s === 'no-new-privileges=true',
      ),
    },
    hostname: c.Hostname,
    mounts,
    shmSize: hc.ShmSize || undefined,
    privileged: !!hc.Privileged,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    seccomp: hc.Privileged ? { mode: 'unconfined' } : seccompOf(sec),
    devices: (hc.Devices ?? []).map((d) => ({
      pathOnHost: d.PathOnHost,
      pathInContainer: d.PathInContainer || undefined,
      permissions: d.CgroupPermissions || undefined,
    })),
    sysctls: hc.Sysctls ?? undefined,
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    resources: resourcesOf(hc),
    cgroupParent: p.cgroupParent,
    namespaces: {
      network: p.netns ? { path: p.netns } : hc.NetworkMode === 'host' ? 'host' : 'private',
      pid: hc.PidMode === 'host' ? 'host' : 'private',
      ipc: hc.IpcMode === 'host' ? 'host' : 'private',
      uts: hc.UTSMode === 'host' ? 'host' : 'private',
    },
  };
}

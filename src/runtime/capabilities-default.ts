/**
 * Linux capabilities: every name the kernel knows (for --privileged and
 * `--cap-add ALL`) and Docker's default set, whose effective mask is
 * 0x00000000a80425fb.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../lib/errors.ts';

/** Every capability, indexed by its number (capability.h). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
];

/** Docker's default capability set. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `all` → `ALL`. */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new InvalidArgumentError(`unknown capability: "${name}"`);
  return full;
}

/**
 * The capability set after Docker's rules: start from the default set (or
 * all, when privileged), drop what `capDrop` names (ALL drops every one),
 * then add what `capAdd` names (ALL adds every one). Adds win over drops.
 */
export function resolveCapabilities(opts: { privileged?: boolean; capAdd?: string[]; capDrop?: string[] }): string[] {
  if (opts.privileged) return grantable();
  const add = (opts.capAdd ?? []).map(normalizeCapability);
  const drop = (opts.capDrop ?? []).map(normalizeCapability);
  let caps = new Set<string>(DEFAULT_CAPABILITIES);
  if (drop.includes('ALL')) caps = new Set();
  else for (const c of drop) caps.delete(c);
  if (add.includes('ALL')) return grantable();
  for (const c of add) caps.add(c);
  return ALL_CAPABILITIES.filter((c) => caps.has(c));
}

let bounding: string[] | undefined;

/**
 * "All capabilities", as far as this daemon may grant them: its own bounding
 * set (a VM without CAP_SYS_RESOURCE cannot hand it to a container, and the
 * runtime would refuse the whole set). ALL_CAPABILITIES is in kernel order.
 */
export function grantable(status?: string): string[] {
  if (status === undefined) {
    bounding ??= grantable(readFileSync('/proc/self/status', 'utf8'));
    return bounding;
  }
  const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(status);
  const mask = m ? BigInt(`0x${m[1]}`) : (1n << BigInt(ALL_CAPABILITIES.length)) - 1n;
  return ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

/** The bit mask of a capability set, as /proc/PID/status prints it (16 hex digits). */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const i = ALL_CAPABILITIES.indexOf(c);
    if (i < 0) throw new InvalidArgumentError(`unknown capability: "${c}"`);
    mask |= 1n << BigInt(i);
  }
  return mask.toString(16).padStart(16, '0');
}

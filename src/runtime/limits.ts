/**
 * rlimits for `--ulimit`: Docker's names to the OCI `RLIMIT_*` types, never
 * above this process's hard limit (the VM lacks CAP_SYS_RESOURCE, and a
 * runtime would fail the create with an obscure message).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../lib/errors.ts';
import type { OciRlimit } from './oci-types.ts';
import type { UlimitInput } from './spec-input.ts';

const NAMES: Record<string, { type: string; label: string }> = {
  core: { type: 'RLIMIT_CORE', label: 'Max core file size' },
  cpu: { type: 'RLIMIT_CPU', label: 'Max cpu time' },
  data: { type: 'RLIMIT_DATA', label: 'Max data size' },
  fsize: { type: 'RLIMIT_FSIZE', label: 'Max file size' },
  locks: { type: 'RLIMIT_LOCKS', label: 'Max file locks' },
  memlock: { type: 'RLIMIT_MEMLOCK', label: 'Max locked memory' },
  msgqueue: { type: 'RLIMIT_MSGQUEUE', label: 'Max msgqueue size' },
  nice: { type: 'RLIMIT_NICE', label: 'Max nice priority' },
  nofile: { type: 'RLIMIT_NOFILE', label: 'Max open files' },
  nproc: { type: 'RLIMIT_NPROC', label: 'Max processes' },
  rss: { type: 'RLIMIT_RSS', label: 'Max resident set' },
  rtprio: { type: 'RLIMIT_RTPRIO', label: 'Max realtime priority' },
  rttime: { type: 'RLIMIT_RTTIME', label: 'Max realtime timeout' },
  sigpending: { type: 'RLIMIT_SIGPENDING', label: 'Max pending signals' },
  stack: { type: 'RLIMIT_STACK', label: 'Max stack size' },
};

/** Hard limits of this process by Docker name (Infinity = unlimited), from /proc/self/limits. */
export function hardLimits(text = readFileSync('/proc/self/limits', 'utf8')): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, { label }] of Object.entries(NAMES)) {
    const line = text.split('\n').find((l) => l.startsWith(label));
    if (!line) continue;
    const fields = line.slice(label.length).trim().split(/\s+/);
    const hard = fields[1];
    out.set(name, hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard));
  }
  return out;
}

export function buildRlimits(
  ulimits: UlimitInput[] | undefined,
  hard: Map<string, number> = hardLimits(),
): OciRlimit[] {
  const out: OciRlimit[] = [];
  for (const u of ulimits ?? []) {
    const def = NAMES[u.name];
    if (!def) throw new InvalidArgumentError(`invalid ulimit type: ${u.name}`);
    if (u.soft > u.hard) {
      throw new InvalidArgumentError(
        `ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`,
      );
    }
    const max = hard.get(u.name) ?? Number.POSITIVE_INFINITY;
    if (u.hard > max) {
      throw new InvalidArgumentError(
        `ulimit ${u.name}=${u.soft}:${u.hard} is above this host's hard limit ${max} (no CAP_SYS_RESOURCE)`,
      );
    }
    out.push({ type: def.type, soft: u.soft, hard: u.hard });
  }
  return out;
}

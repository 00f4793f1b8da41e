/** One-value HostConfig specs: restart policy, ulimit, device, security options. */
import { readFileSync } from 'node:fs';
import type { RestartPolicy } from '../../wire/containers.ts';
import { int } from './units.ts';

export function parseRestart(s: string | undefined): RestartPolicy | undefined {
  if (!s) return undefined;
  const [name, count] = s.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name as string))
    throw new Error(`invalid restart policy '${s}'`);
  if (count !== undefined && name !== 'on-failure')
    throw new Error(`invalid restart policy '${s}': maximum retry count can only be used with 'on-failure'`);
  return {
    Name: name as RestartPolicy['Name'],
    ...(count !== undefined ? { MaximumRetryCount: int(count, 'restart count') } : {}),
  };
}

export function parseUlimit(s: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid ulimit argument: '${s}' (expected name=soft[:hard])`);
  const soft = Number(m[2]);
  return { Name: m[1] as string, Soft: soft, Hard: m[3] === undefined ? soft : Number(m[3]) };
}

export function parseDevice(s: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = s.split(':');
  const isPerm = (p: string | undefined) => p !== undefined && /^[rwm]{1,3}$/.test(p);
  const host = parts[0] as string;
  let inCt = host;
  let perm = 'rwm';
  if (parts.length === 2) {
    if (isPerm(parts[1])) perm = parts[1] as string;
    else inCt = parts[1] as string;
  } else if (parts.length === 3) {
    inCt = parts[1] as string;
    if (!isPerm(parts[2])) throw new Error(`invalid device mode: '${parts[2]}'`);
    perm = parts[2] as string;
  } else if (parts.length > 3) throw new Error(`invalid device specification: '${s}'`);
  return { PathOnHost: host, PathInContainer: inCt, CgroupPermissions: perm };
}

/** `--security-opt seccomp=FILE` sends the profile itself, as docker does. */
export function securityOpts(list: string[] = []): string[] {
  return list.map((o) => {
    const m = /^seccomp[=:](.+)$/.exec(o);
    if (!m || m[1] === 'unconfined' || (m[1] as string).startsWith('{')) return o;
    const profile = JSON.stringify(JSON.parse(readFileSync(m[1] as string, 'utf8')));
    return `seccomp=${profile}`;
  });
}

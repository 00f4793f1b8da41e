/** Looking into running containers from the host: processes (`top`), stats, resource updates. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError } from '../../lib/errors.ts';
import { cgroupDirs } from '../../runtime/cgroups.ts';
import { buildResources } from '../../runtime/resources.ts';
import { cgroupsPathFor } from '../../runtime/spec.ts';
import { type ContainerStats, readCgroupStats } from '../../runtime/stats.ts';
import type { HostConfig } from '../../wire/containers.ts';
import type { ContainerService } from './container-service.ts';
import type { ContainerRecord } from './record.ts';
import { validatePolicy } from './restart-policy.ts';
import { resourcesOf } from './runtime-input.ts';

export function cgroupPath(cgroupParent: string, rec: ContainerRecord): string {
  return cgroupsPathFor(cgroupParent, rec.Id);
}

/** PIDs in the container's cgroup. */
export function containerPids(cgroupParent: string, rec: ContainerRecord): number[] {
  for (const dir of cgroupDirs(cgroupPath(cgroupParent, rec))) {
    try {
      return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {}
  }
  return [];
}

/** `docker top`: the host's `ps` output, only the container's processes. */
export async function top(
  cgroupParent: string,
  rec: ContainerRecord,
  psArgs = '-ef',
): Promise<{ Titles: string[]; Processes: string[][] }> {
  if (!rec.State.Running) throw new ConflictError(`container ${rec.Id} is not running`);
  if (/[;&|`$]/.test(psArgs)) throw new InvalidArgumentError(`invalid ps arguments: ${psArgs}`);
  const pids = new Set(containerPids(cgroupParent, rec));
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('ps', psArgs.split(/\s+/).filter(Boolean), { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new InvalidArgumentError(`ps failed: ${err.trim()}`)),
    );
  });
  const lines = out.split('\n').filter(Boolean);
  const header = lines.shift() ?? '';
  const titles = header.trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new InvalidArgumentError(`ps output has no PID column: ${header}`);
  const processes = lines
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
    })
    .filter((f) => pids.has(Number(f[pidCol])));
  return { Titles: titles, Processes: processes };
}

export function stats(cgroupParent: string, rec: ContainerRecord, prev?: ContainerStats): Record<string, unknown> {
  const s = rec.State.Running ? readCgroupStats(cgroupPath(cgroupParent, rec), prev) : undefined;
  return {
    ...(s ?? { read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z' }),
    name: rec.Name,
    id: rec.Id,
    networks: {},
  };
}

const UPDATABLE = [
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpusetCpus',
  'CpusetMems',
  'PidsLimit',
  'BlkioWeight',
] as const;

/** `docker update`: new limits (applied at once when running) and restart policy. */
export async function update(
  svc: ContainerService,
  ref: string,
  body: Partial<HostConfig>,
): Promise<{ Warnings: string[] }> {
  const rec = svc.get(ref);
  const hc = rec.HostConfig as Record<string, unknown>;
  for (const k of UPDATABLE)
    if (body[k] !== undefined && body[k] !== null && body[k] !== 0 && body[k] !== '') hc[k] = body[k];
  if (body.RestartPolicy?.Name) {
    validatePolicy(body.RestartPolicy, !!rec.HostConfig.AutoRemove);
    hc.RestartPolicy = body.RestartPolicy;
  }
  const resources = buildResources(resourcesOf(rec.HostConfig));
  if (rec.State.Running) await svc.runtimeFor().update(svc.handle(rec), resources);
  svc.records.save(rec);
  return { Warnings: [] };
}

/**
 * Container statistics from its cgroup, v1 or v2, in the Docker Engine
 * API's stats shape (GET /containers/ID/stats). v2 files as the kernel's
 * cgroup-v2 documentation describes them: memory.current, memory.max,
 * memory.stat, cpu.stat (usage_usec, user_usec, system_usec, nr_periods,
 * nr_throttled, throttled_usec), pids.current, pids.max, io.stat
 * (`MAJ:MIN rbytes= wbytes= rios= wios= …`).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type CgroupLayout, detectCgroupLayout } from './cgroups.ts';

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage: number;
  online_cpus: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface ContainerStats {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioEntry[] | null;
    io_serviced_recursive: BlkioEntry[] | null;
    io_queue_recursive: null;
    io_service_time_recursive: null;
    io_wait_time_recursive: null;
    io_merged_recursive: null;
    io_time_recursive: null;
    sectors_recursive: null;
  };
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: {
    usage?: number;
    max_usage?: number;
    failcnt?: number;
    limit?: number;
    stats?: Record<string, number>;
  };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function num(path: string): number | undefined {
  const t = read(path)?.trim();
  if (t === undefined || t === '') return undefined;
  if (t === 'max') return Number.POSITIVE_INFINITY;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat) to a record. */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** v2 io.stat to Docker's blkio entries. */
export function parseIoStat(text: string | undefined): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const kv = Object.fromEntries(kvs.map((s) => s.split('=')).map(([k, v]) => [k, Number(v)]));
    bytes.push(
      { major, minor, op: 'read', value: kv.rbytes ?? 0 },
      { major, minor, op: 'write', value: kv.wbytes ?? 0 },
    );
    ios.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
  }
  return { bytes, ios };
}

/** v1 blkio.throttle.io_service_bytes / io_serviced (`MAJ:MIN Op value`). */
export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, op, value] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m || !op || value === undefined) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op, value: Number(value) });
  }
  return out;
}

/** Host CPU time in ns from /proc/stat's first line (USER_HZ = 100). */
export function systemCpuUsage(text = read('/proc/stat') ?? ''): number {
  const first = text.split('\n')[0] ?? '';
  const fields = first.trim().split(/\s+/).slice(1, 8).map(Number);
  return fields.reduce((a, b) => a + b, 0) * 1e7;
}

const TICK_NS = 1e7;

function emptyCpu(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: 0,
    online_cpus: 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function statsV1(layout: CgroupLayout, path: string, s: ContainerStats): void {
  const dir = (ctrl: string) => {
    const mp = layout.v1.get(ctrl);
    return mp ? join(mp, path) : undefined;
  };
  const mem = dir('memory');
  if (mem) {
    const usage = num(join(mem, 'memory.usage_in_bytes'));
    if (usage !== undefined) {
      const limit = num(join(mem, 'memory.limit_in_bytes')) ?? Number.POSITIVE_INFINITY;
      s.memory_stats = {
        usage,
        max_usage: num(join(mem, 'memory.max_usage_in_bytes')) ?? 0,
        failcnt: num(join(mem, 'memory.failcnt')) ?? 0,
        limit: Math.min(limit, totalmem()),
        stats: parseFlatKeyed(read(join(mem, 'memory.stat'))),
      };
    }
  }
  const acct = dir('cpuacct');
  const cpu = s.cpu_stats;
  if (acct) {
    cpu.cpu_usage.total_usage = num(join(acct, 'cpuacct.usage')) ?? 0;
    const per = read(join(acct, 'cpuacct.usage_percpu'))?.trim();
    if (per) cpu.cpu_usage.percpu_usage = per.split(/\s+/).map(Number);
    const st = parseFlatKeyed(read(join(acct, 'cpuacct.stat')));
    cpu.cpu_usage.usage_in_usermode = (st.user ?? 0) * TICK_NS;
    cpu.cpu_usage.usage_in_kernelmode = (st.system ?? 0) * TICK_NS;
  }
  const cpuDir = dir('cpu');
  if (cpuDir) {
    const st = parseFlatKeyed(read(join(cpuDir, 'cpu.stat')));
    cpu.throttling_data = {
      periods: st.nr_periods ?? 0,
      throttled_periods: st.nr_throttled ?? 0,
      throttled_time: st.throttled_time ?? 0,
    };
  }
  const pids = dir('pids');
  if (pids) {
    const current = num(join(pids, 'pids.current'));
    if (current !== undefined) s.pids_stats.current = current;
    const limit = num(join(pids, 'pids.max'));
    if (limit !== undefined && Number.isFinite(limit)) s.pids_stats.limit = limit;
  }
  const blk = dir('blkio');
  if (blk) {
    s.blkio_stats.io_service_bytes_recursive = parseBlkioV1(read(join(blk, 'blkio.throttle.io_service_bytes')));
    s.blkio_stats.io_serviced_recursive = parseBlkioV1(read(join(blk, 'blkio.throttle.io_serviced')));
  }
}

function statsV2(dir: string, s: ContainerStats): void {
  const usage = num(join(dir, 'memory.current'));
  if (usage !== undefined) {
    const limit = num(join(dir, 'memory.max')) ?? Number.POSITIVE_INFINITY;
    const events = parseFlatKeyed(read(join(dir, 'memory.events')));
    s.memory_stats = {
      usage,
      limit: Math.min(limit, totalmem()),
      failcnt: events.oom ?? 0,
      stats: parseFlatKeyed(read(join(dir, 'memory.stat'))),
    };
    const peak = num(join(dir, 'memory.peak'));
    if (peak !== undefined) s.memory_stats.max_usage = peak;
  }
  const st = parseFlatKeyed(read(join(dir, 'cpu.stat')));
  const cpu = s.cpu_stats;
  cpu.cpu_usage.total_usage = (st.usage_usec ?? 0) * 1000;
  cpu.cpu_usage.usage_in_usermode = (st.user_usec ?? 0) * 1000;
  cpu.cpu_usage.usage_in_kernelmode = (st.system_usec ?? 0) * 1000;
  cpu.throttling_data = {
    periods: st.nr_periods ?? 0,
    throttled_periods: st.nr_throttled ?? 0,
    throttled_time: (st.throttled_usec ?? 0) * 1000,
  };
  const current = num(join(dir, 'pids.current'));
  if (current !== undefined) s.pids_stats.current = current;
  const limit = num(join(dir, 'pids.max'));
  if (limit !== undefined && Number.isFinite(limit)) s.pids_stats.limit = limit;
  const io = parseIoStat(read(join(dir, 'io.stat')));
  s.blkio_stats.io_service_bytes_recursive = io.bytes;
  s.blkio_stats.io_serviced_recursive = io.ios;
}

/**
 * One stats sample of the cgroup at `cgroupsPath` (as in config.json).
 * Pass the previous sample to fill `precpu_stats` and `preread`.
 */
export function readCgroupStats(
  cgroupsPath: string,
  prev?: ContainerStats,
  layout: CgroupLayout = detectCgroupLayout(),
): ContainerStats {
  const s: ContainerStats = {
    read: new Date().toISOString(),
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: emptyCpu(),
    precpu_stats: prev?.cpu_stats ?? emptyCpu(),
    memory_stats: {},
  };
  if (layout.kind === 'unified') statsV2(join(layout.v2!, cgroupsPath), s);
  else statsV1(layout, cgroupsPath, s);
  s.cpu_stats.system_cpu_usage = systemCpuUsage();
  s.cpu_stats.online_cpus = cpus().length;
  return s;
}

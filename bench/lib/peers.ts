/**
 * The engines a benchmark compares, each started on its own roots in the
 * same run: berthd (this checkout), dockerd (Debian docker.io, via
 * test/foundation/dockerd.ts) and Podman (Debian, its own --root/--runroot
 * and a containers.conf that fits this VM's rlimits; see shared/PEERS.md).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ping } from '../../test/foundation/dockerd.ts';
import { dockerCli, isolatedConfig, ROOT, type RunResult, runAsync } from '../../test/helpers/daemon.ts';

export { type PeerDocker, startDockerd } from '../../test/foundation/dockerd.ts';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall time of a command, in ms; a failure throws. */
export async function timed(cmd: string, a: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const r = await runAsync(cmd, a, env, { timeoutMs: 600_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${cmd} ${a.join(' ')} failed (${r.code}): ${r.stderr}`);
  return ms;
}

export async function series(n: number, f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await f());
  return median(xs);
}

export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** A field of /proc/PID/smaps_rollup, KiB; 0 when the process is gone. */
function smapsRollupKiB(pid: number, field: 'Pss' | 'Anonymous'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size of a process, KiB (shared pages split among their users). */
export const pssKiB = (pid: number): number => smapsRollupKiB(pid, 'Pss');

/** Anonymous memory of a process, KiB: its own heaps, without the file pages (node's binary, libraries) in its RSS. */
export const anonKiB = (pid: number): number => smapsRollupKiB(pid, 'Anonymous');

/** PIDs whose command line contains `needle` (e.g. a data root). */
export function pidsMatching(needle: string): number[] {
  const r = spawnSync('pgrep', ['-f', needle]);
  return r.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((p) => p !== process.pid);
}

export interface Berthd {
  dir: string;
  socket: string;
  env: Record<string, string>;
  proc: ChildProcess;
  /** Spawn to the first answered /_ping. */
  startMs: number;
  /** Spawn to the first answered /images/json (the store open, recovery done). */
  readyMs: number;
  stop(): Promise<void>;
}

export async function startBerthd(dir: string): Promise<Berthd> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify(isolatedConfig()));
  const socket = join(dir, 'berth.sock');
  const t0 = performance.now();
  const proc = spawn(
    join(ROOT, 'bin/berthd'),
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--host',
      `unix://${socket}`,
      '--config-file',
      join(dir, 'daemon.json'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr?.on('data', (c) => (log += c));
  let startMs = 0;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`berthd exited: ${log}`);
    if (existsSync(socket) && (await ping(socket))) {
      startMs = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 30_000) throw new Error(`berthd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  // Requests made before the engine is open wait for it: the first answer is the ready time.
  if (!(await ping(socket, '/images/json'))) throw new Error(`berthd did not list images: ${log}`);
  const readyMs = performance.now() - t0;
  return {
    dir,
    socket,
    env: { DOCKER_HOST: `unix://${socket}`, BERTH_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'dcfg') },
    proc,
    startMs,
    readyMs,
    async stop() {
      // Containers outlive berthd by design: remove them first, then what the
      // stopped instance leaves (bridges, chains; its resolver exits with the exec root).
      if (proc.exitCode === null) {
        const env = { ...process.env, DOCKER_HOST: `unix://${socket}` };
        const ids = spawnSync(dockerCli(), ['ps', '-aq'], { env }).stdout.toString().split('\n').filter(Boolean);
        if (ids.length) spawnSync(dockerCli(), ['rm', '-f', ...ids], { env });
        const e = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await e;
      }
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
      spawnSync('bash', [join(ROOT, 'scripts/clean-leftovers.sh')], { stdio: 'ignore' });
    },
  };
}

export interface Podman {
  dir: string;
  run(a: string[], timeoutMs?: number): Promise<RunResult>;
  stop(): void;
}

export function podmanPeer(dir: string): Podman {
  if (!existsSync('/usr/bin/podman')) {
    throw new Error("podman not found: install it with 'apt-get install -y --no-install-recommends podman'");
  }
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'cni'), { recursive: true });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n');
  const base = [
    '--root', join(dir, 'root'),
    '--runroot', join(dir, 'run'),
    '--tmpdir', join(dir, 'tmp'),
    '--network-config-dir', join(dir, 'cni'),
    '--events-backend', 'file',
    '--cgroup-manager', 'cgroupfs',
  ]; // biome-ignore format: flag/value pairs
  return {
    dir,
    run: (a, timeoutMs = 600_000) =>
      runAsync('/usr/bin/podman', [...base, ...a], { CONTAINERS_CONF: conf }, { timeoutMs }),
    stop() {
      // Not `podman system reset`: with many images it runs for minutes. Its storage is all under `dir`.
      spawnSync('sh', ['-c', `pkill -f 'conmon.*${dir}'`]);
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Row {
  what: string;
  berth: number;
  docker?: number;
  podman?: number;
  unit: string;
  target: string;
  ok: boolean;
}

export function printRows(title: string, rows: Row[]): void {
  const f = (n: number | undefined, u: string) =>
    n === undefined ? '—' : `${u === 'ms' ? n.toFixed(0) : n.toFixed(1)} ${u}`;
  const r = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '—');
  const lines = [
    `## ${title}`,
    '',
    '| what | Berth | Docker | Podman | Berth/Docker | Berth/Podman | target | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const x of rows) {
    lines.push(
      `| ${x.what} | ${f(x.berth, x.unit)} | ${f(x.docker, x.unit)} | ${f(x.podman, x.unit)} | ${r(x.berth, x.docker)} | ${r(x.berth, x.podman)} | ${x.target} | ${x.ok ? 'yes' : 'no'} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

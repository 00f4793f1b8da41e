/**
 * Test harness: a real berthd on a temporary data root, exec root and socket,
 * driven by the real docker CLI and by berth. Each test file starts its own
 * daemon, so files run in parallel without sharing state.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nodeTest from 'node:test';
import { projectRoot } from '../../src/sys/native.ts';

export const ROOT = projectRoot();
const NODE = process.execPath;

/** The docker CLI to drive berthd with: 28.x in /usr/local/bin, else Debian's. */
export function dockerCli(): string {
  for (const p of ['/usr/local/bin/docker', '/usr/bin/docker']) if (existsSync(p)) return p;
  throw new Error('no docker CLI found (/usr/local/bin/docker or /usr/bin/docker): install docker.io');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
}

function runSync(cmd: string, args: string[], env: Record<string, string>, o: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    input: o.input,
    env: { ...process.env, ...env, ...o.env },
    timeout: o.timeoutMs ?? 120_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Runs a command asynchronously (does not block the event loop). */
export function runAsync(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  o: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env, ...o.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    const t = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    if (o.input !== undefined) p.stdin.end(o.input);
    else p.stdin.end();
  });
}

export interface TestDaemon {
  dir: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  host: string;
  proc: ChildProcess;
  log(): string;
  docker(args: string[], o?: RunOptions): RunResult;
  dockerAsync(args: string[], o?: RunOptions): Promise<RunResult>;
  berth(args: string[], o?: RunOptions): RunResult;
  /** Stops the daemon (SIGTERM, or the signal given) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts it again on the same roots. */
  restart(): Promise<void>;
  /** Stops and removes every file the daemon made. */
  cleanup(): Promise<void>;
}

export interface DaemonOptions {
  extraArgs?: string[];
  configFile?: string;
}

/** Waits for this run's "ready" line: `from` skips the log of earlier runs (restart after kill -9). */
async function waitReady(socket: string, proc: ChildProcess, logFile: () => string, from = 0): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`berthd exited with ${proc.exitCode}:\n${logFile()}`);
    if (existsSync(socket) && logFile().slice(from).includes('berthd is ready')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`berthd did not become ready:\n${logFile()}`);
}

export async function startDaemon(o: DaemonOptions = {}): Promise<TestDaemon> {
  const dir = mkdtempSync('/tmp/berth-test-');
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const socket = join(dir, 'berth.sock');
  const host = `unix://${socket}`;
  let logText = '';
  const env = { DOCKER_HOST: host, BERTH_HOST: host, DOCKER_CONFIG: join(dir, 'docker-config') };
  const spawnDaemon = () => {
    const args = [
      '--disable-warning=ExperimentalWarning',
      '--enable-source-maps',
      join(ROOT, 'dist/bundle/berthd.mjs'),
      '--data-root',
      dataRoot,
      '--exec-root',
      execRoot,
      '--host',
      host,
      '--log-level',
      'debug',
      ...(o.configFile ? ['--config-file', o.configFile] : ['--config-file', join(dir, 'daemon.json')]),
      ...(o.extraArgs ?? []),
    ];
    const p = spawn(NODE, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
      env: { ...process.env, BERTH_DNS_UPSTREAMS: process.env.BERTH_DNS_UPSTREAMS ?? 'none' },
    });
    p.stdout?.on('data', (d) => (logText += d));
    p.stderr?.on('data', (d) => (logText += d));
    return p;
  };
  if (!o.configFile) {
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify(isolatedConfig()));
  }
  const d: TestDaemon = {
    dir,
    dataRoot,
    execRoot,
    socket,
    host,
    proc: spawnDaemon(),
    log: () => logText,
    docker: (args, ro) => runSync(dockerCli(), args, env, ro),
    dockerAsync: (args, ro) => runAsync(dockerCli(), args, env, ro),
    berth: (args, ro) => runSync(join(ROOT, 'bin/berth'), args, env, ro),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const p = d.proc;
      if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
      const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
      p.kill(signal);
      return exited;
    },
    async restart() {
      const from = logText.length;
      d.proc = spawnDaemon();
      await waitReady(socket, d.proc, () => logText, from);
    },
    async cleanup() {
      await d.stop('SIGKILL');
      await killLeftoverContainers(execRoot, /"instance":"([^"]+)"/.exec(logText)?.[1]);
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitReady(socket, d.proc, () => logText);
  return d;
}

/** The pids of the processes whose command line contains `needle`. */
function pidsWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) out.push(Number(e));
    } catch {}
  }
  return out;
}

/**
 * Containers outlive a killed daemon (by design), so a test daemon's cleanup
 * kills what it left running: every conmon under its exec root, the
 * container processes under them (thawed first, in case one was paused),
 * then the daemon's cgroups.
 */
async function killLeftoverContainers(execRoot: string, instance: string | undefined): Promise<void> {
  const monitors = pidsWith(`${execRoot}/`);
  if (monitors.length > 0) {
    const children = (pid: number): number[] => {
      try {
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };
    if (instance) {
      for (const f of globCgroups('freezer', instance)) {
        try {
          writeFileSync(join(f, 'freezer.state'), 'THAWED');
        } catch {}
      }
    }
    for (const m of monitors) {
      for (const c of children(m)) {
        try {
          process.kill(c, 'SIGKILL');
        } catch {}
      }
    }
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && monitors.some((m) => existsSync(`/proc/${m}`))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const m of monitors) {
      try {
        process.kill(m, 'SIGKILL');
      } catch {}
    }
  }
  if (!instance) return;
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    for (const dir of globCgroups(controller, instance).reverse()) {
      try {
        rmdirSync(dir);
      } catch {}
    }
  }
}

/** `/sys/fs/cgroup/CONTROLLER/INSTANCE` and the directories under it, parents first. */
function globCgroups(controller: string, instance: string): string[] {
  const root = join('/sys/fs/cgroup', controller, instance);
  if (!existsSync(root)) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const e of readdirSync(out[i], { withFileTypes: true })) if (e.isDirectory()) out.push(join(out[i], e.name));
    } catch {}
  }
  return out;
}

/**
 * Config for a daemon that runs beside others: its own default-bridge subnet
 * (daemons that start together would otherwise both pick 172.17.0.0/16 before
 * either has claimed it on the host) and no upstream DNS (nothing leaves the machine).
 */
export function isolatedConfig(): Record<string, unknown> {
  const a = 100 + Math.floor(Math.random() * 150);
  const b = Math.floor(Math.random() * 256);
  return { 'default-bridge-subnet': `10.${a}.${b}.0/24`, dns: ['127.0.0.1'] };
}

/**
 * A busybox image archive made once per test run and loaded into each daemon
 * (fast), so that every daemon of a run has the same busybox image ID. Test
 * files run in parallel: the first to finish making the archive publishes it
 * (link, which fails if it is there already), and everyone loads the
 * published one, also the files that made their own meanwhile.
 */
export async function loadBusybox(d: TestDaemon): Promise<void> {
  const cache = join(process.env.BERTH_TEST_CACHE ?? '/tmp/berth-test-cache', 'busybox.tar');
  if (!existsSync(cache)) {
    const { linkSync, mkdirSync, rmSync } = await import('node:fs');
    mkdirSync(join(cache, '..'), { recursive: true });
    const r = d.berth(['image', 'bootstrap', 'busybox']);
    if (r.code !== 0) throw new Error(`bootstrap busybox failed: ${r.stderr}`);
    const tmp = `${cache}.${process.pid}.tmp`;
    const s = d.berth(['image', 'save', '-o', tmp, 'busybox:latest']);
    if (s.code !== 0) throw new Error(`save busybox failed: ${s.stderr}`);
    try {
      linkSync(tmp, cache);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
    // Ours may not be the published one: the daemon keeps only what the others get.
    const rm = d.berth(['image', 'rm', 'busybox:latest']);
    if (rm.code !== 0) throw new Error(`rm busybox failed: ${rm.stderr}`);
  }
  const r = d.docker(['load', '-i', cache]);
  if (r.code !== 0) throw new Error(`load busybox failed: ${r.stderr}`);
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Non-empty lines of a command's output. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

export interface FileDaemon {
  /** The daemon (valid inside tests, after `before`). */
  readonly d: TestDaemon;
  /** Runs `berth ARGS` and asserts exit 0; returns stdout. */
  berthOk(args: string[], input?: string): string;
  /** Runs `docker ARGS` and asserts exit 0; returns stdout. */
  dockerOk(args: string[], input?: string): string;
}

/**
 * One daemon with busybox for the whole test file: registers the before/after
 * hooks (node:test) and gives helpers that check the exit code.
 */
export function fileDaemon(): FileDaemon {
  let daemon: TestDaemon | undefined;
  nodeTest.before(async () => {
    daemon = await startDaemon();
    await loadBusybox(daemon);
  });
  nodeTest.after(async () => {
    await daemon?.cleanup();
  });
  const check = (what: string, r: RunResult, args: string[]) => {
    if (r.code !== 0) throw new Error(`${what} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    get d() {
      if (!daemon) throw new Error('the daemon is not started yet (use it inside a test)');
      return daemon;
    },
    berthOk(args, input) {
      return check('berth', this.d.berth(args, input === undefined ? {} : { input }), args);
    },
    dockerOk(args, input) {
      return check('docker', this.d.docker(args, input === undefined ? {} : { input }), args);
    },
  };
}

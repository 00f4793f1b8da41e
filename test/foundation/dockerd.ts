/**
 * A real Docker daemon (Debian's docker.io 20.10) on its own roots and
 * socket, for interop tests and side-by-side benchmarks. It is started with
 * --iptables=false --ip-forward=false --bridge=none so that it leaves the
 * host's firewall and bridges alone (see shared/PEERS.md).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { dockerCli, type RunOptions, type RunResult, runAsync } from '../helpers/daemon.ts';

export const DOCKERD_PATHS = ['/usr/bin/dockerd', '/usr/sbin/dockerd'];

/** The dockerd binary, or throws telling how to install it (tests must fail, not skip). */
export function dockerdBinary(): string {
  for (const p of DOCKERD_PATHS) if (existsSync(p)) return p;
  throw new Error(
    `dockerd not found (${DOCKERD_PATHS.join(', ')}): install Docker with 'apt-get install -y --no-install-recommends docker.io containerd runc'`,
  );
}

export interface PeerDocker {
  dir: string;
  socket: string;
  host: string;
  proc: ChildProcess;
  log(): string;
  docker(args: string[], o?: RunOptions): Promise<RunResult>;
  stop(): Promise<void>;
}

export function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** dockerd's own containerd, if it outlived dockerd: by its pid file, only if it is ours. */
function killManagedContainerd(dir: string): void {
  const pidFile = join(dir, 'exec/containerd/containerd.pid');
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {}
}

/** Starts dockerd and waits for its first successful /_ping. */
export async function startDockerd(opts: { dir?: string } = {}): Promise<PeerDocker & { startMs: number }> {
  const bin = dockerdBinary();
  const dir = opts.dir ?? mkdtempSync('/tmp/berth-dockerd-');
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  let text = '';
  const t0 = performance.now();
  const proc = spawn(
    bin,
    [
      '--host',
      host,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '--iptables=false',
      '--ip-forward=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (c) => (text += c));
  proc.stderr?.on('data', (c) => (text += c));
  const deadline = Date.now() + 60_000;
  let startMs = 0;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dockerd exited with ${proc.exitCode}:\n${text}`);
    if (await ping(socket)) {
      startMs = performance.now() - t0;
      break;
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`dockerd did not answer /_ping within 60 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: join(dir, 'docker-config') };
  return {
    dir,
    socket,
    host,
    proc,
    startMs,
    log: () => text,
    docker: (args, o) => runAsync(dockerCli(), args, env, o),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(t);
      }
      killManagedContainerd(dir);
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

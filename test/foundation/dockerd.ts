/**
 * A real Docker daemon (Debian's docker.io 20.10) on its own roots and
 * socket, for interop tests and side-by-side benchmarks. It is started with
 * --iptables=false --ip-forward=false --bridge=none so that it leaves the
 * host's firewall and bridges alone (see shared/PEERS.md), unless the caller
 * asks for its default networking (`network: true`, benchmarks only: its
 * start with docker0 and its iptables chains is the start Docker users
 * know); stop() then removes docker0 and the DOCKER chains and restores the
 * FORWARD policy.
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

/** True when GET PATH (default /_ping) on the socket answers 200. */
export function ping(socket: string, path = '/_ping'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path, method: 'GET' }, (res) => {
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
/** What dockerd's default networking leaves on the host: docker0, its rules and chains; FORWARD's policy back to POLICY. */
function removeDockerNetworking(forwardPolicy: string): void {
  const script = `
    ip link del docker0 2>/dev/null
    for t in filter nat; do
      iptables -t $t -S | grep -E '^-A [A-Z]+ .*(DOCKER|docker0)' | grep -vE '^-A DOCKER' | cut -c4- |
        while read -r rule; do eval "iptables -t $t -D $rule"; done
      for c in $(iptables -t $t -S | sed -n 's/^-N \\(DOCKER[A-Z0-9-]*\\)$/\\1/p'); do iptables -t $t -F $c; done
      for c in $(iptables -t $t -S | sed -n 's/^-N \\(DOCKER[A-Z0-9-]*\\)$/\\1/p'); do iptables -t $t -X $c; done
    done
    iptables -P FORWARD ${forwardPolicy}`;
  spawnSync('sh', ['-c', script], { stdio: 'ignore' });
}

function forwardPolicy(): string {
  const out = spawnSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8' }).stdout ?? '';
  return /^-P FORWARD (\w+)/m.exec(out)?.[1] ?? 'ACCEPT';
}

export async function startDockerd(
  opts: { dir?: string; network?: boolean } = {},
): Promise<PeerDocker & { startMs: number }> {
  const bin = dockerdBinary();
  const dir = opts.dir ?? mkdtempSync('/tmp/berth-dockerd-');
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  let text = '';
  const policy = opts.network ? forwardPolicy() : undefined;
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
      ...(opts.network ? [] : ['--iptables=false', '--ip-forward=false', '--bridge=none']),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (c) => (text += c));
  proc.stderr?.on('data', (c) => (text += c));
  const deadline = Date.now() + 60_000;
  let startMs = 0;
  for (;;) {
    if (proc.exitCode !== null) {
      if (policy) removeDockerNetworking(policy);
      throw new Error(`dockerd exited with ${proc.exitCode}:\n${text}`);
    }
    if (await ping(socket)) {
      startMs = performance.now() - t0;
      break;
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      if (policy) removeDockerNetworking(policy);
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
      if (policy) removeDockerNetworking(policy);
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * RUN: the command runs in a real container over the step's writable root,
 * started with one `RUNTIME run` (no monitor: the container lives only as
 * long as the step, and its output streams straight into the build log).
 * Mount points the runtime had to create (/proc, /dev, secret files, cache
 * dirs …) are removed again before the layer is taken, as Docker does.
 *
 * Scratch space (owned here): DATA_ROOT/build/run/ID/config.json — the
 * bundle of one RUN; removed when it ends. The runtime's state root is
 * DATA_ROOT/build/runtime/RUNTIME.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { resolveInRoot } from '../../engine/containers/rootfs-path.ts';
import { resolveUser } from '../../engine/containers/user.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import { writeBundleConfig } from '../../runtime/monitor.ts';
import { DEFAULT_BINARIES, type RuntimeName } from '../../runtime/runtime-cli.ts';
import { buildSpec } from '../../runtime/spec.ts';
import type { MountInput } from '../../runtime/spec-input.ts';

export interface RunInput {
  root: string;
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  mounts: MountInput[];
  network: 'none' | 'host';
  runtime: RuntimeName;
  cgroupParent: string;
  /** DATA_ROOT/build */
  scratch: string;
  output: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

const STANDARD_POINTS = ['/proc', '/dev', '/sys', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys/fs/cgroup'];

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Runs the process; resolves with its exit code. */
export async function runStep(i: RunInput): Promise<number> {
  const id = `berth-build-${randomId().slice(0, 20)}`;
  const bundle = join(i.scratch, 'run', id);
  const stateRoot = join(i.scratch, 'runtime', i.runtime);
  await mkdir(bundle, { recursive: true, mode: 0o700 });
  await mkdir(stateRoot, { recursive: true, mode: 0o700 });
  const user = resolveUser(i.root, i.user);
  // Mount points that do not exist yet: remove after the run if still empty.
  const points = [...STANDARD_POINTS, ...i.mounts.map((m) => m.target)];
  const missing: string[] = [];
  for (const p of points) {
    const parts = posix.normalize(p).split('/').filter(Boolean);
    for (let n = 1; n <= parts.length; n++) {
      const sub = `/${parts.slice(0, n).join('/')}`;
      if (!missing.includes(sub) && !(await exists(resolveInRoot(i.root, sub, false)))) missing.push(sub);
    }
  }
  await mkdir(resolveInRoot(i.root, i.cwd), { recursive: true });
  const env = [...i.env];
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  const spec = buildSpec({
    id,
    rootfs: i.root,
    process: {
      args: i.args,
      env,
      cwd: i.cwd,
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
    },
    hostname: id.slice(-12),
    mounts: i.mounts,
    cgroupParent: i.cgroupParent,
    namespaces: { network: i.network === 'host' ? 'host' : 'private' },
  });
  await writeBundleConfig(bundle, spec);
  try {
    return await new Promise<number>((resolve, reject) => {
      const p = spawn(DEFAULT_BINARIES[i.runtime], [`--root=${stateRoot}`, 'run', '--bundle', bundle, id], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout.on('data', i.output);
      p.stderr.on('data', i.output);
      const onAbort = () => p.kill('SIGKILL');
      i.signal?.addEventListener('abort', onAbort, { once: true });
      p.on('error', (e) => reject(new InvalidArgumentError(`cannot run ${i.runtime}: ${e.message}`)));
      p.on('close', (code, sig) => {
        i.signal?.removeEventListener('abort', onAbort);
        resolve(code ?? (sig ? 128 + 9 : 1));
      });
    });
  } finally {
    await rm(bundle, { recursive: true, force: true });
    // deepest first; only what is empty (a RUN may have filled a created dir on purpose)
    for (const m of missing.sort((a, b) => b.length - a.length)) {
      const host = resolveInRoot(i.root, m, false);
      try {
        const st = await lstat(host);
        if (st.isDirectory()) {
          if ((await readdir(host)).length === 0) await rmdir(host);
        } else if (st.isFile() && st.size === 0) await rm(host);
      } catch {}
    }
  }
}

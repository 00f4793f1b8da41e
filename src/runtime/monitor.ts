/**
 * ContainerRuntime: turns a bundle into a running container under conmon +
 * crun/runc and drives it afterwards. The daemon is never the parent of a
 * container: conmon double-forks and setsids, and all that ties a container
 * to the daemon is files.
 *
 * On-disk layout (the caller picks `stateDir` from the daemon config, and a
 * bundle directory per container):
 *
 *   STATEDIR/
 *     crun/                 crun --root (its own state)
 *     runc/                 runc --root
 *     exits/ID              exit code text, written by conmon
 *     exec/ID.SESSION/      an attached non-TTY exec run by the runtime
 *                           directly (exec-direct.ts): process.json, pidfile
 *   BUNDLE/
 *     config.json           written by writeBundleConfig()
 *     pidfile               container init pid (runtime)
 *     conmon.pid            monitor pid
 *     attach                SOCK_SEQPACKET attach socket (conmon)
 *     ctl, winsz            fifos: resize / reopen log (conmon)
 *     oom                   present after an OOM kill (conmon, -0 BUNDLE)
 *     update.json           last resources update
 *     exec/SESSION/         one exec session under conmon: process.json, pidfile,
 *                           attach, ctl, winsz, log, exits/SESSION
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic.ts';
import { InternalError, InvalidArgumentError, isNotFound } from '../lib/errors.ts';
import { type CgroupLayout, detectCgroupLayout } from './cgroups.ts';
import { conmonStderr, DEFAULT_CONMON, launchConmon, signalStart } from './conmon.ts';
import { deleteStoppedCrun } from './crun-delete.ts';
import { type ExecOptions, type ExecProcess, ExecSession } from './exec.ts';
import { DirectExec } from './exec-direct.ts';
import { releaseExecFifo } from './exec-fifo.ts';
import { clearExit, type ExitInfo, readExit, waitForExit } from './exit-file.ts';
import type { OciResources, OciSpec } from './oci-types.ts';
import {
  DEFAULT_BINARIES,
  type RuntimeBinary,
  type RuntimeName,
  type RuntimeState,
  runRuntime,
} from './runtime-cli.ts';

export interface RuntimeManagerConfig {
  /** Root for runtime state roots and exit files; derived from the daemon config. */
  stateDir: string;
  conmonPath?: string;
  binaries?: Partial<Record<RuntimeName, string>>;
}

/** What identifies a container to the runtime layer; the engine persists it. */
export interface ContainerHandle {
  id: string;
  bundle: string;
  runtime: RuntimeName;
}

export interface CreateOptions extends ContainerHandle {
  /** k8s-file log path. */
  logPath: string;
  /** Keep stdin open (`-i`). */
  stdin?: boolean;
  /** Keep the container's stdin open when an attached client leaves (Docker's `-i` without StdinOnce). */
  leaveStdinOpen?: boolean;
  /** Allocate a pty (`-t`); config.json must say `terminal: true` too. */
  tty?: boolean;
  name?: string;
  /** Program conmon runs after the container exits (`--exit-command`), with its args. */
  exitCommand?: string[];
  /** Runs between conmon's launch and its go signal, e.g. to move it into a cgroup. */
  beforeStart?: (monitorLaunchPid: number) => void | Promise<void>;
  timeoutMs?: number;
}

export class ContainerRuntime {
  readonly stateDir: string;
  readonly exitDir: string;
  readonly conmonPath: string;
  readonly #binaries: Record<RuntimeName, string>;
  #layout: CgroupLayout | undefined;

  constructor(cfg: RuntimeManagerConfig) {
    this.stateDir = cfg.stateDir;
    this.exitDir = join(cfg.stateDir, 'exits');
    this.conmonPath = cfg.conmonPath ?? DEFAULT_CONMON;
    this.#binaries = { ...DEFAULT_BINARIES, ...cfg.binaries };
    mkdirSync(this.exitDir, { recursive: true });
  }

  binary(runtime: RuntimeName): RuntimeBinary {
    const path = this.#binaries[runtime];
    if (!path) throw new InvalidArgumentError(`unknown runtime: ${runtime}`);
    return { name: runtime, path, root: join(this.stateDir, runtime) };
  }

  #cgroupLayout(): CgroupLayout {
    this.#layout ??= detectCgroupLayout();
    return this.#layout;
  }

  /** Creates the container (not started) under a new conmon. */
  async createContainer(opts: CreateOptions): Promise<{ pid: number; monitorPid: number }> {
    const rt = this.binary(opts.runtime);
    mkdirSync(rt.root, { recursive: true });
    clearExit(this.exitDir, opts.id, opts.bundle);
    const args = [
      '--api-version', '1',
      '-c', opts.id,
      '-u', opts.id,
      '-n', opts.name ?? opts.id,
      '-r', rt.path,
      '--runtime-arg', `--root=${rt.root}`,
      '-b', opts.bundle,
      '-p', join(opts.bundle, 'pidfile'),
      '-P', join(opts.bundle, 'conmon.pid'),
      '-l', `k8s-file:${opts.logPath}`,
      '--exit-dir', this.exitDir,
      '--socket-dir-path', opts.bundle,
      '--full-attach',
      '-0', opts.bundle,
      '--log-level', 'error',
    ]; // biome-ignore format: flag/value pairs
    if (opts.tty) args.push('-t');
    if (opts.stdin) args.push('-i');
    if (opts.stdin && opts.leaveStdinOpen) args.push('--leave-stdin-open');
    if (opts.exitCommand?.length) {
      const [cmd, ...rest] = opts.exitCommand;
      args.push('--exit-command', cmd!);
      for (const a of rest) args.push('--exit-command-arg', a);
    }
    const l = launchConmon(this.conmonPath, args, { cwd: opts.bundle });
    try {
      if (opts.beforeStart && l.child.pid) await opts.beforeStart(l.child.pid);
      signalStart(l);
      const msg = await withTimeout(l.sync.next(), opts.timeoutMs ?? 30_000, 'conmon create');
      await l.firstStageExit;
      if (msg.data < 0) {
        throw new InternalError(`${opts.runtime} create failed: ${msg.message ?? conmonStderr(l) ?? 'unknown error'}`);
      }
      const monitorPid = Number.parseInt(readFileSync(join(opts.bundle, 'conmon.pid'), 'utf8'), 10);
      return { pid: msg.data, monitorPid };
    } catch (e) {
      if (e instanceof InternalError) throw e;
      throw new InternalError(`conmon failed: ${(e as Error).message} ${conmonStderr(l)}`.trim(), { cause: e });
    } finally {
      l.release();
    }
  }

  /**
   * Lets a created container's process run. For crun this is what `crun
   * start` does, without its spawn: one byte into the exec fifo that the
   * container's init waits on (crun then sees the container as running).
   * runc (and a crun whose fifo is not where expected) get `RUNTIME start`.
   */
  async startContainer(h: ContainerHandle): Promise<void> {
    const rt = this.binary(h.runtime);
    if (rt.name === 'crun' && releaseExecFifo(join(rt.root, h.id, 'exec.fifo'))) return;
    await runRuntime(rt, ['start', h.id]);
  }

  async kill(h: ContainerHandle, signal: string | number = 'TERM', all = false): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.replace(/^SIG/, '');
    await runRuntime(this.binary(h.runtime), ['kill', ...(all ? ['--all'] : []), h.id, sig]);
  }

  /** Removes the runtime's state (and cgroup). `force` kills a running container first. */
  async delete(h: ContainerHandle, opts: { force?: boolean } = {}): Promise<void> {
    const rt = this.binary(h.runtime);
    // A stopped crun container is deleted in-process (crun-delete.ts): one spawn less per container.
    if (rt.name === 'crun' && (await deleteStoppedCrun(rt.root, h.id, this.#cgroupLayout()))) return;
    try {
      await runRuntime(rt, ['delete', ...(opts.force ? ['--force'] : []), h.id]);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async pause(h: ContainerHandle): Promise<void> {
    await runRuntime(this.binary(h.runtime), ['pause', h.id]);
  }

  async resume(h: ContainerHandle): Promise<void> {
    await runRuntime(this.binary(h.runtime), ['resume', h.id]);
  }

  async state(h: ContainerHandle): Promise<RuntimeState> {
    return JSON.parse(await runRuntime(this.binary(h.runtime), ['state', h.id])) as RuntimeState;
  }

  /** Changes the cgroup limits of a live container (`docker update`). */
  async update(h: ContainerHandle, resources: OciResources): Promise<void> {
    const file = join(h.bundle, 'update.json');
    writeFileSync(file, JSON.stringify(resources));
    await runRuntime(this.binary(h.runtime), ['update', `--resources=${file}`, h.id]);
  }

  /**
   * Runs a process inside a running container: an attached non-TTY one
   * straight under the runtime (the daemon holds its pipes), others under
   * their own conmon (they outlive the client, or need conmon's pty).
   */
  async exec(h: ContainerHandle, opts: ExecOptions): Promise<ExecProcess> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(opts.sessionId))
      throw new InternalError(`bad exec session id ${opts.sessionId}`);
    const rt = this.binary(h.runtime);
    if (opts.attach && !opts.process.terminal) {
      return DirectExec.start(rt, h, join(this.stateDir, 'exec', `${h.id}.${opts.sessionId}`), opts);
    }
    return ExecSession.start(this.conmonPath, rt, h, opts);
  }

  waitExit(h: ContainerHandle, opts: { signal?: AbortSignal } = {}): Promise<ExitInfo> {
    return waitForExit(this.exitDir, h.id, h.bundle, opts);
  }

  /** The recorded exit, if the container has exited (for reconciliation after a daemon restart). */
  readExitFile(h: ContainerHandle): ExitInfo | undefined {
    return readExit(this.exitDir, h.id, h.bundle);
  }

  /** Forgets a recorded exit (before a restart of the same container). */
  clearExit(h: ContainerHandle): void {
    clearExit(this.exitDir, h.id, h.bundle);
  }

  /** The monitor's pid from BUNDLE/conmon.pid, if it is still alive. */
  monitorPid(h: ContainerHandle): number | undefined {
    return alivePid(join(h.bundle, 'conmon.pid'));
  }

  /** The container's init pid from BUNDLE/pidfile, if it is still alive. */
  containerPid(h: ContainerHandle): number | undefined {
    return alivePid(join(h.bundle, 'pidfile'));
  }
}

function alivePid(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!(pid > 0)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Writes BUNDLE/config.json (atomically) and makes sure the bundle directory exists. */
export async function writeBundleConfig(bundle: string, spec: OciSpec): Promise<void> {
  mkdirSync(bundle, { recursive: true });
  // Written anew at every start, in the exec root: atomic, no fsync.
  await writeFileAtomic(join(bundle, 'config.json'), JSON.stringify(spec), 0o644, { durable: false });
}

/** Removes a bundle's monitor files (not the rootfs mount: that is the store's). */
export function removeBundleFiles(bundle: string): void {
  for (const f of ['pidfile', 'conmon.pid', 'attach', 'ctl', 'winsz', 'oom', 'update.json', 'exec']) {
    rmSync(join(bundle, f), { recursive: true, force: true });
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InternalError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

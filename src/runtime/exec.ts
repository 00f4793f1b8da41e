/**
 * Exec sessions: a process run inside a running container under its own
 * conmon (`--exec --exec-process-spec FILE`), in its own directory so that
 * its exit file, attach socket and fifos never meet the container's:
 *
 *   BUNDLE/exec/SESSION/process.json, pidfile, log, attach, ctl, winsz,
 *                       exits/SESSION (exit code text)
 *
 * With `attach`, conmon is launched with an attach pipe (fd 5): it says
 * when its socket is ready, we connect, then let the process start, so no
 * output is lost. The sync pipe gives the pid, then the exit code.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InternalError } from '../lib/errors.ts';
import { type Attachment, attach as attachSocket } from './attach.ts';
import { type ConmonLaunch, conmonStderr, launchConmon, signalStart } from './conmon.ts';
import { readExit, waitForExit } from './exit-file.ts';
import type { OciProcess } from './oci-types.ts';
import type { RuntimeBinary } from './runtime-cli.ts';

export interface ExecOptions {
  /** Session id: [A-Za-z0-9_.-]+, unique within the container. */
  sessionId: string;
  /** The OCI process to run (args, env, cwd, user, terminal, capabilities…). */
  process: OciProcess;
  /** Keep stdin open (`-i`). */
  stdin?: boolean;
  /** Connect to the session before its process starts. */
  attach?: boolean;
  timeoutMs?: number;
}

/** A process run in a container (conmon's ExecSession, or a DirectExec). */
export interface ExecProcess {
  /** The session's directory (process.json, pidfile; conmon's ctl and winsz). */
  readonly dir: string;
  readonly sessionId: string;
  readonly pid: number;
  /** Present when started with `attach: true`. */
  readonly attachment: Attachment | undefined;
  /** The exit code of the process (128+N after signal N). */
  wait(): Promise<number>;
  kill(signal: NodeJS.Signals): void;
  /** Removes the session's directory (after wait()). */
  remove(): void;
}

/** Sends `signal` to `pid`; a process that has already gone is no error. */
export function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export class ExecSession implements ExecProcess {
  readonly dir: string;
  readonly sessionId: string;
  readonly pid: number;
  /** Present when started with `attach: true`. */
  readonly attachment: Attachment | undefined;
  readonly #launch: ConmonLaunch;
  readonly #exit: Promise<number>;

  private constructor(dir: string, sessionId: string, pid: number, l: ConmonLaunch, a: Attachment | undefined) {
    this.dir = dir;
    this.sessionId = sessionId;
    this.pid = pid;
    this.attachment = a;
    this.#launch = l;
    const exitDir = join(dir, 'exits');
    // The sync pipe gives the exit code; the exit file is the record if the pipe is lost.
    this.#exit = l.sync
      .next()
      .then((m) => m.data)
      .catch(() => waitForExit(exitDir, sessionId, dir).then((i) => i.exitCode))
      .finally(() => l.release());
  }

  static async start(conmonPath: string, rt: RuntimeBinary, h: { id: string; bundle: string }, o: ExecOptions) {
    const dir = join(h.bundle, 'exec', o.sessionId);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'exits'), { recursive: true });
    const specFile = join(dir, 'process.json');
    writeFileSync(specFile, JSON.stringify(o.process));
    const args = [
      '--api-version', '1',
      '-c', h.id,
      '-u', o.sessionId,
      '-n', `${h.id}-${o.sessionId}`,
      '-r', rt.path,
      '--runtime-arg', `--root=${rt.root}`,
      '-b', dir,
      '-p', join(dir, 'pidfile'),
      '-l', `k8s-file:${join(dir, 'log')}`,
      '--exit-dir', join(dir, 'exits'),
      '--socket-dir-path', dir,
      '--full-attach',
      '-0', dir,
      '--exec',
      '--exec-process-spec', specFile,
      '--log-level', 'error',
    ]; // biome-ignore format: flag/value pairs
    if (o.process.terminal) args.push('-t');
    if (o.stdin) args.push('-i');
    if (o.attach) args.push('--exec-attach');
    const l = launchConmon(conmonPath, args, { cwd: dir, attachPipe: o.attach === true });
    const timeout = o.timeoutMs ?? 30_000;
    let a: Attachment | undefined;
    try {
      signalStart(l);
      if (l.attach) {
        const ready = await withDeadline(l.attach.next(), timeout);
        if (ready.data < 0) throw new InternalError(`exec attach failed: ${ready.message ?? ''}`);
        a = await attachSocket(dir);
        signalStart(l);
      }
      const m = await withDeadline(l.sync.next(), timeout);
      if (m.data < 0) throw new InternalError(`exec failed: ${m.message ?? conmonStderr(l)}`);
      return new ExecSession(dir, o.sessionId, m.data, l, a);
    } catch (e) {
      a?.close();
      l.release();
      throw e instanceof InternalError ? e : new InternalError(`exec failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The exit code of the process (128+N after signal N). */
  wait(): Promise<number> {
    return this.#exit;
  }

  kill(signal: NodeJS.Signals): void {
    signalIfAlive(this.pid, signal);
  }

  /** The recorded exit code, read from the session's exit file. */
  static readExitCode(dir: string, sessionId: string): number | undefined {
    return readExit(join(dir, 'exits'), sessionId, dir)?.exitCode;
  }

  /** Removes the session's directory (after wait()). */
  remove(): void {
    this.#launch.release();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new InternalError(`conmon did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

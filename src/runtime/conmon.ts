/**
 * Launching conmon (the per-container monitor) and speaking its pipe
 * protocol (RUNTIME-NOTES.md):
 * - env `_OCI_SYNCPIPE=3 _OCI_STARTPIPE=4` (+ `_OCI_ATTACHPIPE=5` for an
 *   attached exec); fds 3, 4 (, 5) are socket pairs made by Node's spawn.
 * - one byte on the start pipe lets conmon go; the sync pipe then carries
 *   `{"data": PID}` or `{"data": -1, "message": "…"}` lines; for an exec a
 *   second line carries the exit code.
 * - the first-stage conmon double-forks and exits: Node reaps it; the
 *   monitor lives on in its own session, never a child of the daemon.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { InternalError } from '../lib/errors.ts';

export const DEFAULT_CONMON = '/usr/bin/conmon';

export interface SyncMessage {
  data: number;
  message?: string;
}

/** Reads newline-delimited JSON messages from conmon's sync pipe. */
export class SyncReader {
  readonly #queue: SyncMessage[] = [];
  readonly #waiters: { resolve: (m: SyncMessage) => void; reject: (e: Error) => void }[] = [];
  #buf = '';
  #ended: Error | undefined;

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.#buf += chunk;
      for (let nl = this.#buf.indexOf('\n'); nl >= 0; nl = this.#buf.indexOf('\n')) {
        const line = this.#buf.slice(0, nl).trim();
        this.#buf = this.#buf.slice(nl + 1);
        if (!line) continue;
        let msg: SyncMessage;
        try {
          msg = JSON.parse(line) as SyncMessage;
        } catch {
          msg = { data: -1, message: `conmon sent an unreadable message: ${line}` };
        }
        const w = this.#waiters.shift();
        if (w) w.resolve(msg);
        else this.#queue.push(msg);
      }
    });
    const end = (e?: Error) => {
      this.#ended ??= e ?? new InternalError('conmon closed its sync pipe without an answer');
      for (const w of this.#waiters.splice(0)) w.reject(this.#ended);
    };
    stream.on('end', () => end());
    stream.on('close', () => end());
    stream.on('error', (e) => end(e));
  }

  next(): Promise<SyncMessage> {
    const m = this.#queue.shift();
    if (m) return Promise.resolve(m);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

export interface ConmonLaunch {
  child: ChildProcess;
  sync: SyncReader;
  start: Writable;
  /** Present when launched with `attachPipe`. */
  attach?: SyncReader;
  /** Resolves when the first-stage conmon has exited (and been reaped). */
  firstStageExit: Promise<number | null>;
  /** Drops the daemon's ends of the pipes: the monitor no longer depends on this process. */
  release(): void;
}

export function launchConmon(
  conmonPath: string,
  args: string[],
  opts: { cwd: string; attachPipe?: boolean },
): ConmonLaunch {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    _OCI_SYNCPIPE: '3',
    _OCI_STARTPIPE: '4',
  };
  if (opts.attachPipe) env._OCI_ATTACHPIPE = '5';
  const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'];
  if (opts.attachPipe) stdio.push('pipe');
  const child = spawn(conmonPath, args, { cwd: opts.cwd, env, stdio, detached: true });
  const sync = new SyncReader(child.stdio[3] as Readable);
  const start = child.stdio[4] as Writable;
  const attach = opts.attachPipe ? new SyncReader((child.stdio as unknown as Readable[])[5]!) : undefined;
  let stderr = '';
  const errStream = child.stdio[2] as Readable;
  errStream.setEncoding('utf8');
  errStream.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const firstStageExit = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code));
  });
  start.on('error', () => {});
  child.unref();
  const release = () => {
    for (const s of child.stdio) {
      if (s && 'destroy' in s) (s as Readable).destroy();
    }
  };
  const launch: ConmonLaunch = { child, sync, start, firstStageExit, release };
  if (attach) launch.attach = attach;
  Object.defineProperty(launch, 'stderr', { get: () => stderr });
  return launch;
}

/** conmon's stderr so far (for error messages). */
export function conmonStderr(l: ConmonLaunch): string {
  return ((l as unknown as { stderr?: string }).stderr ?? '').trim();
}

/** Writes the one byte that lets conmon proceed. */
export function signalStart(l: ConmonLaunch): void {
  l.start.write(Buffer.from([0]));
}

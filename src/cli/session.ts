/**
 * One attached session with a container, as docker's CLI runs it for `run`,
 * `start -a` and `attach`: attach first, register the wait, then start
 * (when asked), follow the terminal's size, proxy signals, pump the streams,
 * and give back the exit code (or detached).
 */

import {
  killContainer,
  resizeContainer,
  startContainer,
  type WaitResponse,
  waitContainer,
} from '../client/containers.ts';
import { ApiError } from '../client/errors.ts';
import { attachSocket, pump } from '../client/hijack.ts';
import { api } from './context.ts';
import { followTerminalSize, proxySignals, rawMode } from './tty.ts';

export interface SessionOptions {
  id: string;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  sigProxy: boolean;
  /** Start the container once attached (run, start -a). */
  start: boolean;
  waitCondition: 'not-running' | 'next-exit' | 'removed';
  /** Called when start fails (run --rm removes the container, as the daemon would). */
  onStartFailure?: () => Promise<unknown>;
}

/** A start that fails says why; docker's exit codes: 127 not found, 126 cannot invoke, else 125. */
export class StartError extends Error {
  readonly exitCode: number;
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
    this.exitCode = startExitCode(message);
  }
}

export function startExitCode(message: string): number {
  if (/executable file not found|no such file or directory|cannot find the file specified/i.test(message)) return 127;
  if (/permission denied|is a directory/i.test(message)) return 126;
  return 125;
}

export type SessionResult = { detached: true } | { detached: false; status: WaitResponse };

export async function attachSession(o: SessionOptions): Promise<SessionResult> {
  const client = api();
  const { socket, head } = await attachSocket(client, o.id, {
    stdin: o.stdin,
    stdout: o.stdout,
    stderr: o.stderr,
    detachKeys: o.detachKeys,
  });
  const waiting = await waitContainer(client, o.id, o.waitCondition);
  const restore = o.tty && o.stdin ? rawMode() : () => {};
  const stream = pump(socket, head, {
    tty: o.tty,
    stdin: o.stdin ? process.stdin : null,
    stdout: process.stdout,
    stderr: process.stderr,
    detachKeys: o.detachKeys,
  });
  if (o.start) {
    try {
      await startContainer(client, o.id);
    } catch (e) {
      stream.close();
      restore();
      await o.onStartFailure?.();
      throw e instanceof ApiError ? new StartError(e.message) : e;
    }
  }
  const stopResize = o.tty ? followTerminalSize((h, w) => resizeContainer(client, o.id, h, w)) : () => {};
  const stopProxy = o.sigProxy && !o.tty ? proxySignals((sig) => killContainer(client, o.id, sig)) : () => {};
  try {
    const { detached } = await stream.done;
    restore();
    if (detached) return { detached: true };
    return { detached: false, status: await waiting.result };
  } finally {
    restore();
    stopResize();
    stopProxy();
  }
}

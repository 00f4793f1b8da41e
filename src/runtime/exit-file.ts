/**
 * Exit records written by conmon: `EXITDIR/ID` holds the exit code as text
 * (128+N after signal N), written once the container's process is gone;
 * `PERSISTDIR/oom` appears when the kernel OOM-killed it. Waiting watches
 * the directory (fs.watch) with a slow poll as a fallback.
 */
import { existsSync, readFileSync, statSync, unlinkSync, watch } from 'node:fs';
import { join } from 'node:path';
import { isNotFound } from '../lib/errors.ts';

export interface ExitInfo {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: Date;
}

export function readExit(exitDir: string, id: string, persistDir: string): ExitInfo | undefined {
  const path = join(exitDir, id);
  let text: string;
  let mtime: Date;
  try {
    text = readFileSync(path, 'utf8');
    mtime = statSync(path).mtime;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const code = Number.parseInt(text.trim(), 10);
  if (Number.isNaN(code)) return undefined; // being written
  return { exitCode: code, oomKilled: existsSync(join(persistDir, 'oom')), finishedAt: mtime };
}

export function clearExit(exitDir: string, id: string, persistDir: string): void {
  for (const p of [join(exitDir, id), join(persistDir, 'oom')]) {
    try {
      unlinkSync(p);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** Resolves when `EXITDIR/ID` exists; rejects with the signal's reason when aborted. */
export function waitForExit(
  exitDir: string,
  id: string,
  persistDir: string,
  opts: { signal?: AbortSignal; pollMs?: number } = {},
): Promise<ExitInfo> {
  return new Promise((resolve, reject) => {
    let done = false;
    let watcher: ReturnType<typeof watch> | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const finish = (err?: unknown, info?: ExitInfo) => {
      if (done) return;
      done = true;
      watcher?.close();
      if (timer) clearInterval(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(info!);
    };
    const check = () => {
      if (done) return;
      try {
        const info = readExit(exitDir, id, persistDir);
        if (info) finish(undefined, info);
      } catch (e) {
        finish(e);
      }
    };
    const onAbort = () => finish(opts.signal?.reason ?? new Error('aborted'));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      watcher = watch(exitDir, { persistent: true }, (_ev, name) => {
        if (!name || name === id) check();
      });
      watcher.on('error', () => {});
    } catch {
      // no inotify: the poll below does the work
    }
    timer = setInterval(check, opts.pollMs ?? 1000);
    check();
  });
}

/**
 * Exclusive advisory locks on files (flock(2)); the kernel drops one when its
 * process dies, even by `kill -9`.
 * - lockFile: taken at once or refused, held for the life of the process (two
 *   daemons never share one data root).
 * - withLock: waited for, held while a short step runs (several daemons on one
 *   host take turns at something host-wide, e.g. claiming a subnet).
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConflictError } from '../lib/errors.ts';
import { native } from './native.ts';

const LOCK_EX = 2;
const LOCK_NB = 4;

export interface HeldLock {
  release(): void;
}

export function lockFile(path: string, what: string): HeldLock {
  const fd = openSync(path, 'a+', 0o600);
  if (!native().flock(fd, LOCK_EX | LOCK_NB)) {
    let holder = '';
    try {
      holder = readFileSync(path, 'utf8').trim();
    } catch {}
    closeSync(fd);
    throw new ConflictError(`${what} is locked by another process${holder ? ` (pid ${holder})` : ''}: ${path}`);
  }
  ftruncateSync(fd, 0);
  writeFileSync(path, `${process.pid}\n`);
  return {
    release() {
      try {
        closeSync(fd);
      } catch {}
    },
  };
}

/** Runs `step` holding the lock on `path` (waiting for it: keep the step short and synchronous). */
export function withLock<T>(path: string, step: () => T): T {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a+', 0o600);
  try {
    native().flock(fd, LOCK_EX);
    return step();
  } finally {
    closeSync(fd);
  }
}

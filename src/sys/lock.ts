/**
 * An exclusive advisory lock on a file (flock(2), LOCK_EX|LOCK_NB), held for
 * the life of the process: two daemons never share one data root. The kernel
 * drops the lock when the process dies, even by `kill -9`.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs';
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

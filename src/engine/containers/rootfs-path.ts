/**
 * Resolves a path inside a container's root filesystem the way the container
 * would see it: symlinks are followed with the root as `/` (an absolute link
 * target is relative to the root, `..` stops at the root), so a link can
 * never lead to the host's files.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgumentError } from '../../lib/errors.ts';

const MAX_HOPS = 40;

/** Host path of `path` in `root`; with `followLast` false the last component is not followed. */
export function resolveInRoot(root: string, path: string, followLast = true): string {
  let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let isLink = false;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {}
    if (isLink && (pending.length > 0 || followLast)) {
      if (++hops > MAX_HOPS) throw new InvalidArgumentError(`too many levels of symbolic links in ${path}`);
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}

/** The path within the container after resolution (for mount lookups). */
export function containerPathOf(root: string, hostPath: string): string {
  const rel = hostPath.slice(root.length);
  return rel === '' ? '/' : rel;
}

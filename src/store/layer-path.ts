/**
 * Safe paths inside a layer directory while unpacking an archive.
 *
 * An entry name is cleaned lexically and must stay inside the root. Its
 * parent is then resolved one component at a time, with lstat, inside the
 * root: a relative symlink that stays inside is followed (chroot
 * semantics), a symlink that is absolute or climbs out of the root is
 * refused, so nothing is ever written through a link to the host.
 */
import { lstatSync, mkdirSync, readlinkSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgumentError, isNotFound } from '../lib/errors.ts';

const MAX_LINKS = 40;

/**
 * The cleaned relative form of an archive path ('' for the root). Throws for
 * an absolute path or one that climbs out of the root.
 */
export function cleanEntryPath(name: string, what = 'entry'): string {
  if (name.includes('\0')) throw new InvalidArgumentError(`invalid ${what} "${name}": NUL in path`);
  if (name.startsWith('/')) throw new InvalidArgumentError(`invalid ${what} "${name}": absolute path`);
  const p = posix.normalize(name);
  if (p === '..' || p.startsWith('../')) {
    throw new InvalidArgumentError(`invalid ${what} "${name}": path escapes the layer root`);
  }
  if (p === '.' || p === './') return '';
  return p.replace(/\/+$/, '');
}

export class LayerPaths {
  readonly root: string;
  /** Real relative paths known to be directories (not symlinks). */
  private dirs = new Set<string>(['']);

  constructor(root: string) {
    this.root = root;
  }

  abs(rel: string): string {
    return rel ? join(this.root, rel) : this.root;
  }

  /** Forgets what is known about `rel` and everything below it (after a removal). */
  forget(rel: string): void {
    for (const d of this.dirs) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
  }

  /** True when `rel` is known to be a real directory. */
  isKnownDir(rel: string): boolean {
    return this.dirs.has(rel);
  }

  /** Records that `rel` is now a real directory. */
  knowDir(rel: string): void {
    this.dirs.add(rel);
  }

  /**
   * The real relative path of directory `rel`, following safe symlinks.
   * With `create`, missing directories are made (mode 0755); without it a
   * missing one is reported as `undefined`. Synchronous: each step is one
   * cheap syscall, and a thread-pool round trip per step costs far more.
   */
  resolveDir(rel: string, entry: string, create: boolean, hops = 0): string | undefined {
    if (this.dirs.has(rel)) return rel;
    const cur: string[] = [];
    for (const part of rel.split('/')) {
      if (!part) continue;
      const candidate = cur.length ? `${cur.join('/')}/${part}` : part;
      if (this.dirs.has(candidate)) {
        cur.push(part);
        continue;
      }
      const abs = this.abs(candidate);
      let st: Stats;
      try {
        st = lstatSync(abs);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        if (!create) return undefined;
        mkdirSync(abs, 0o755);
        this.dirs.add(candidate);
        cur.push(part);
        continue;
      }
      if (st.isDirectory()) {
        this.dirs.add(candidate);
        cur.push(part);
      } else if (st.isSymbolicLink()) {
        const target = readlinkSync(abs);
        if (target.startsWith('/')) {
          throw new InvalidArgumentError(
            `invalid entry "${entry}": it is written through the symlink "${candidate}" -> "${target}", which points outside the layer root`,
          );
        }
        const joined = posix.normalize(cur.length ? `${cur.join('/')}/${target}` : target);
        if (joined === '..' || joined.startsWith('../')) {
          throw new InvalidArgumentError(
            `invalid entry "${entry}": it is written through the symlink "${candidate}" -> "${target}", which points outside the layer root`,
          );
        }
        if (hops >= MAX_LINKS) throw new InvalidArgumentError(`invalid entry "${entry}": too many levels of symlinks`);
        const real = this.resolveDir(joined === '.' ? '' : joined.replace(/\/+$/, ''), entry, create, hops + 1);
        if (real === undefined) return undefined;
        cur.length = 0;
        if (real) cur.push(...real.split('/'));
      } else {
        throw new InvalidArgumentError(`invalid entry "${entry}": "${candidate}" is not a directory`);
      }
    }
    return cur.join('/');
  }
}

/**
 * Writes a directory tree as a tar stream: the one writer behind layer diffs
 * (overlay upper dirs), `docker export`, `docker cp` and imports.
 *
 * Output is reproducible: entries in sorted order, parents before children,
 * mtimes in whole seconds, no atime/ctime, no user/group names, xattrs in
 * sorted PAX records, so the same tree gives the same bytes (and digest).
 */
import type { Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { native } from '../sys/native.ts';
import { END_OF_ARCHIVE, type EntryType, encodeHeader, padding, type TarEntry } from './tar-format.ts';

export interface TreeTarOptions {
  /** Name prefix of every entry (e.g. `etc` for `docker cp ctr:/etc -`); '' for none. */
  prefix?: string;
  /** Emit an entry for the root itself (named `prefix/`, or `./` without a prefix). */
  includeRoot?: boolean;
  /**
   * Maps a filesystem entry to the tar entries written for it (e.g. an
   * overlay whiteout to `.wh.NAME`). Directories are walked whatever it returns.
   */
  convert?: (entry: TarEntry, st: Stats, abs: string) => TarEntry[];
  /** Leaves out an entry (and, for a directory, all below it). `rel` has no prefix. */
  exclude?: (rel: string) => boolean;
  /** Xattr names never written. Default: `trusted.overlay.*`. */
  skipXattr?: (name: string) => boolean;
}

const defaultSkipXattr = (n: string) => n.startsWith('trusted.overlay.');

export { major, minor } from '../lib/devnum.ts';

import { major, minor } from '../lib/devnum.ts';

function typeOf(st: Stats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived
}

function readXattrs(abs: string, skip: (n: string) => boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const sys = native();
  for (const name of sys.llistxattr(abs)) {
    if (skip(name)) continue;
    const v = sys.lgetxattr(abs, name);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** The tar entry describing `abs` (no data), named `name`. */
export async function entryFromStat(
  abs: string,
  name: string,
  st: Stats,
  skipXattr = defaultSkipXattr,
): Promise<TarEntry | undefined> {
  const type = typeOf(st);
  if (!type) return undefined;
  return {
    name,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: type === 'file' ? st.size : 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    linkname: type === 'symlink' ? await readlink(abs) : '',
    devmajor: type === 'char' || type === 'block' ? major(st.rdev) : 0,
    devminor: type === 'char' || type === 'block' ? minor(st.rdev) : 0,
    xattrs: readXattrs(abs, skipXattr),
  };
}

/** Gathers small buffers into chunks of about 256 KiB. */
class Batch {
  private parts: Buffer[] = [];
  private size = 0;
  add(b: Buffer): boolean {
    this.parts.push(b);
    this.size += b.length;
    return this.size >= 256 * 1024;
  }
  take(): Buffer {
    const b = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return b;
  }
  get empty(): boolean {
    return this.size === 0;
  }
}

async function* fileData(abs: string, size: number): AsyncGenerator<Buffer> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(abs, 'r');
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(left, 1 << 20));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break; // the file shrank: pad below
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
    if (left > 0) yield Buffer.alloc(left);
  } finally {
    await fh?.close();
  }
}

async function* generate(root: string, opts: TreeTarOptions): AsyncGenerator<Buffer> {
  const rootSt = await lstat(root);
  const prefix = (opts.prefix ?? '').replace(/\/+$/, '') || (rootSt.isDirectory() ? '' : basename(root));
  const skipXattr = opts.skipXattr ?? defaultSkipXattr;
  const convert = opts.convert ?? ((e: TarEntry) => [e]);
  const links = new Map<string, string>();
  const batch = new Batch();
  const nameOf = (rel: string) => (prefix ? (rel ? `${prefix}/${rel}` : prefix) : rel);

  async function* emit(abs: string, rel: string, st: Stats): AsyncGenerator<Buffer> {
    const name = nameOf(rel) || './';
    const base = await entryFromStat(abs, name, st, skipXattr);
    if (!base) return;
    if (base.type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        base.type = 'link';
        base.linkname = first;
        base.size = 0;
      } else links.set(key, name);
    }
    for (const e of convert(base, st, abs)) {
      if (batch.add(encodeHeader(e))) yield batch.take();
      if (e.type === 'file' && e.size > 0) {
        for await (const chunk of fileData(abs, e.size)) {
          if (chunk.length >= 64 * 1024) {
            // big chunks go out as they are, after what is batched
            if (!batch.empty) yield batch.take();
            yield chunk;
          } else if (batch.add(chunk)) yield batch.take();
        }
        const pad = padding(e.size);
        if (pad && batch.add(Buffer.alloc(pad))) yield batch.take();
      }
    }
  }

  async function* walk(dir: string, rel: string): AsyncGenerator<Buffer> {
    const names = (await readdir(dir)).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      if (opts.exclude?.(r)) continue;
      const abs = join(dir, n);
      const st = await lstat(abs);
      yield* emit(abs, r, st);
      if (st.isDirectory()) yield* walk(abs, r);
    }
  }

  if (!rootSt.isDirectory()) {
    yield* emit(root, '', rootSt);
  } else {
    if (opts.includeRoot) yield* emit(root, '', rootSt);
    yield* walk(root, '');
  }
  batch.add(END_OF_ARCHIVE);
  yield batch.take();
}

/** A tar stream of the tree at `root` (a directory or a single file). */
export function tarTree(root: string, opts: TreeTarOptions = {}): Readable {
  return Readable.from(generate(root, opts), { objectMode: false });
}

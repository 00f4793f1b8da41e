/**
 * From directories to tars: an overlay upper dir as a standard OCI layer
 * (whiteouts, opaque dirs), a whole tree (export, `docker cp`), and the
 * change list of an upper dir (`docker diff`). All tars come from the one
 * writer in tar-writer.ts, so the same tree always gives the same bytes.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { native } from '../sys/native.ts';
import type { TarEntry } from './tar-format.ts';
import { major, minor, type TreeTarOptions, tarTree } from './tar-writer.ts';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export type ChangeKind = 0 | 1 | 2;
/** Docker's change kinds: 0 modified, 1 added, 2 deleted. */
export const ChangeKinds = { Modified: 0, Added: 1, Deleted: 2 } as const;

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && major(st.rdev) === 0 && minor(st.rdev) === 0;
}

function isOpaque(abs: string): boolean {
  return native().lgetxattr(abs, 'trusted.overlay.opaque')?.toString() === 'y';
}

function withBase(name: string, base: string): string {
  const i = name.replace(/\/$/, '').lastIndexOf('/');
  return i < 0 ? base : `${name.slice(0, i + 1)}${base}`;
}

/** Overlay metadata → OCI whiteouts. */
function overlayToOci(e: TarEntry, st: Stats, abs: string): TarEntry[] {
  if (isWhiteout(st)) {
    const base = e.name.slice(e.name.lastIndexOf('/') + 1);
    return [
      {
        ...e,
        name: withBase(e.name, `${WHITEOUT}${base}`),
        type: 'file',
        mode: 0o600,
        size: 0,
        devmajor: 0,
        devminor: 0,
        xattrs: new Map(),
      },
    ];
  }
  if (st.isDirectory() && isOpaque(abs)) {
    const dirName = e.name.replace(/\/$/, '');
    return [e, { ...e, name: `${dirName}/${OPAQUE}`, type: 'file', mode: e.mode & 0o777, size: 0, xattrs: new Map() }];
  }
  return [e];
}

export interface DiffOptions {
  /** Extra entries to leave out, by relative path. */
  exclude?: (rel: string) => boolean;
}

/** A standard (uncompressed) OCI layer tar of an overlay upper dir. */
export function diffLayer(upperDir: string, opts: DiffOptions = {}): Readable {
  return tarTree(upperDir, { convert: overlayToOci, exclude: opts.exclude });
}

/** A tar of a whole tree or a single file (export, `docker cp`, import). */
export function tarDirectory(dir: string, opts: Omit<TreeTarOptions, 'convert'> = {}): Readable {
  return tarTree(dir, opts);
}

async function existsInLowers(rel: string, lowerDirs: readonly string[]): Promise<boolean> {
  for (const l of lowerDirs) {
    try {
      const st = await lstat(join(l, rel));
      // a whiteout in a lower layer hides the path from the layers below it
      return !isWhiteout(st);
    } catch {}
  }
  return false;
}

/**
 * What an upper dir changes over its lower dirs (top first), sorted by path:
 * a whiteout is a deletion, an entry also present below a modification,
 * any other an addition.
 */
export async function changes(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const out: Change[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(dir, name);
      const st = await lstat(abs);
      if (isWhiteout(st)) {
        out.push({ Path: `/${r}`, Kind: 2 });
        continue;
      }
      out.push({ Path: `/${r}`, Kind: (await existsInLowers(r, lowerDirs)) ? 0 : 1 });
      if (st.isDirectory()) await walk(abs, r);
    }
  }
  await walk(upperDir, '');
  return out;
}

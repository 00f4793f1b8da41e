/**
 * Unpacks an image layer (gzip, zstd or plain tar) into the layer's own
 * directory, in one pass that also computes the diffID (sha256 of the
 * uncompressed tar).
 *
 * OCI whiteouts become overlayfs whiteouts: `.wh.NAME` → a char device 0:0
 * named NAME, `.wh..wh..opq` → `trusted.overlay.opaque=y` on its directory.
 * Ownership, modes (setuid, sticky), mtimes and xattrs are kept. Entries
 * that would land outside the directory are refused (see layer-path.ts);
 * on any error the caller removes the partial directory, and `src` is
 * released (a Readable source is destroyed).
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  write,
} from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { type Digest, Digester } from '../lib/digest.ts';
import { errnoCode, InvalidArgumentError, isBerthError } from '../lib/errors.ts';
import { native } from '../sys/native.ts';
import { type Compression, decompressed } from './decompress.ts';
import { cleanEntryPath, LayerPaths } from './layer-path.ts';
import { PARALLEL_MAX_FILE, ParallelFiles } from './parallel-files.ts';
import type { TarEntry } from './tar-format.ts';
import { readTar } from './tar-reader.ts';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const TRUNCATED = 'unexpected end of layer archive';

export interface ApplyResult {
  diffId: Digest;
  /** Sum of the sizes of the regular files (Docker's layer size). */
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** How the layer was compressed. */
  compression: Compression;
}

export interface ApplyOptions {
  /** Turn OCI whiteouts into overlay whiteouts (default true). False: apply a plain tree (docker cp). */
  whiteouts?: boolean;
  /**
   * For a caller that already hashes the bytes it passes in: when the layer
   * turns out to be uncompressed, its diffID is this (called once the tar is
   * read) and the layer is not hashed a second time.
   */
  plainDigest?: () => Digest;
}

/*
 * The file system calls are synchronous on purpose: a thread-pool round
 * trip per call (seven per file) made unpacking several times slower than
 * tar(1). The event loop still turns between the archive's chunks. The
 * exceptions: a file's data goes out one write at a time on the thread pool
 * while the next chunk is read; into a directory that starts empty, small
 * files are written several at once on the thread pool (parallel-files.ts),
 * for a path nothing earlier in the archive made; anything that could touch such a file (a
 * replaced path, a whiteout over something made here, a hardlink) waits
 * for the writes under way first.
 */

export async function applyLayer(src: Readable, dir: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const whiteouts = opts.whiteouts ?? true;
  let digester: Digester | undefined;
  const paths = new LayerPaths(dir);
  const dirTimes: Array<[string, number]> = [];
  let size = 0;
  let tarSize = 0;
  await mkdir(dir, { recursive: true });
  const files = (await readdir(dir)).length === 0 ? new ParallelFiles(keepXattr) : undefined;
  /** Paths this archive made, so far. */
  const made = new Set<string>();
  let stream: Readable | undefined;
  let compression: Compression = 'none';
  try {
    const d = await decompressed(src);
    stream = d.stream;
    compression = d.compression;
    if (compression !== 'none' || !opts.plainDigest) digester = new Digester('sha256');
    await readTar(
      stream,
      async (e, body) => {
        const rel = cleanEntryPath(e.name);
        if (e.type === 'file') size += e.size;
        const base = posix.basename(rel);
        if (whiteouts && base.startsWith(WHITEOUT)) {
          if (files?.busy) await files.drain();
          applyWhiteout(paths, rel, base, e);
          return;
        }
        if (rel === '' && e.type !== 'dir')
          throw new InvalidArgumentError(`invalid entry "${e.name}": the root must be a directory`);
        const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
        const parent = rel === '' ? '' : paths.resolveDir(parentRel, e.name, true);
        const targetRel = rel === '' ? '' : parent ? `${parent}/${base}` : base;
        const target = paths.abs(targetRel);
        if (
          files &&
          e.type === 'file' &&
          e.size <= PARALLEL_MAX_FILE &&
          !made.has(targetRel) &&
          !paths.isKnownDir(targetRel)
        ) {
          made.add(targetRel);
          let chunks = body.takeBuffered();
          if (!chunks) {
            chunks = [];
            for await (const c of body) chunks.push(c);
          }
          await files.add(target, chunks, e.size, e);
          return;
        }
        if (files?.busy) {
          if (e.type === 'link')
            await files.drain(); // its target may be under way
          else if (made.has(targetRel)) await files.wait(target); // the same path again
        }
        made.add(targetRel);
        const linkTo = e.type === 'link' ? linkTarget(paths, e, target) : '';
        const fd = await create(paths, e, target, targetRel, linkTo, files);
        if (fd !== undefined) {
          try {
            // one write on the thread pool while the next chunk is read (and decompressed, hashed)
            let writing: Promise<void> = Promise.resolve();
            try {
              for await (const chunk of body) {
                await writing;
                writing = writeAll(fd, chunk);
              }
            } finally {
              await writing.catch(() => {});
            }
            await writing;
            fchownSync(fd, e.uid, e.gid);
            fchmodSync(fd, e.mode & 0o7777);
            setXattrs(target, e);
            futimesSync(fd, e.mtime, e.mtime);
          } finally {
            closeSync(fd);
          }
          return;
        }
        if (e.type === 'link') return; // a hardlink shares the target's metadata
        lchownSync(target, e.uid, e.gid);
        if (e.type !== 'symlink') chmodSync(target, e.mode & 0o7777);
        setXattrs(target, e);
        if (e.type === 'dir') dirTimes.push([target, e.mtime]);
        else lutimesSync(target, e.mtime, e.mtime);
      },
      {
        onBytes: (b) => {
          tarSize += b.length;
          digester?.update(b);
        },
        truncated: TRUNCATED,
      },
    );
    await files?.drain();
  } catch (err) {
    stream?.destroy(); // stop reading (and decompressing) the rest
    await files?.drain().catch(() => {}); // nothing writes into the directory once the caller removes it
    throw layerError(err);
  }
  // directory times last, deepest first, once nothing more is written into them
  for (let i = dirTimes.length - 1; i >= 0; i--) lutimesSync(dirTimes[i][0], dirTimes[i][1], dirTimes[i][1]);
  const diffId = digester ? digester.digest() : (opts.plainDigest as () => Digest)();
  return { diffId, size, tarSize, compression };
}

const writeAsync = promisify(write);

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let off = 0;
  while (off < chunk.length) off += (await writeAsync(fd, chunk, off, chunk.length - off)).bytesWritten;
}

/** Makes the entry's node (a file is returned open). */
function make(e: TarEntry, target: string, linkTo: string): number | undefined {
  switch (e.type) {
    case 'dir':
      mkdirSync(target, 0o700);
      return undefined;
    case 'file':
      return openSync(target, 'wx', 0o600);
    case 'symlink':
      symlinkSync(e.linkname, target);
      return undefined;
    case 'link':
      linkSync(linkTo, target);
      return undefined;
    case 'char':
    case 'block':
      native().mknod(target, (e.type === 'char' ? S_IFCHR : S_IFBLK) | (e.mode & 0o777), e.devmajor, e.devminor);
      return undefined;
    case 'fifo':
      native().mkfifo(target, e.mode & 0o777);
      return undefined;
  }
}

/**
 * Creates the entry, replacing what is in the way (an entry repeated in the
 * archive, or an existing tree for docker cp); an existing directory stays
 * when the entry is a directory. The common case costs one call, no lstat.
 */
async function create(
  paths: LayerPaths,
  e: TarEntry,
  target: string,
  targetRel: string,
  linkTo: string,
  files: ParallelFiles | undefined,
): Promise<number | undefined> {
  try {
    return make(e, target, linkTo);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  if (e.type === 'dir' && lstatSync(target).isDirectory()) {
    paths.knowDir(targetRel);
    return undefined;
  }
  await files?.drain(); // what goes may hold files under way
  rmSync(target, { recursive: true, force: true });
  paths.forget(targetRel);
  return make(e, target, linkTo);
}

/** Only whiteouts make overlay metadata. */
function keepXattr(name: string): boolean {
  return !name.startsWith('trusted.overlay.');
}

/** Owner and mode are set before (chown clears setuid and security.capability). */
function setXattrs(target: string, e: TarEntry): void {
  if (e.xattrs.size === 0) return;
  const sys = native();
  for (const [name, value] of e.xattrs) {
    if (!keepXattr(name)) continue;
    try {
      sys.lsetxattr(target, name, value);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    }
  }
}

function applyWhiteout(paths: LayerPaths, rel: string, base: string, e: TarEntry): void {
  const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const parent = paths.resolveDir(parentRel, e.name, true);
  if (parent === undefined) return;
  if (base === OPAQUE) {
    native().lsetxattr(paths.abs(parent), 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  if (base.startsWith(`${WHITEOUT}${WHITEOUT}`)) return; // other AUFS metadata (.wh..wh.plnk, …)
  const name = base.slice(WHITEOUT.length);
  if (!name || name === '.' || name === '..') throw new InvalidArgumentError(`invalid whiteout entry "${e.name}"`);
  const targetRel = parent ? `${parent}/${name}` : name;
  const target = paths.abs(targetRel);
  rmSync(target, { recursive: true, force: true });
  paths.forget(targetRel);
  native().mknod(target, S_IFCHR, 0, 0);
  lchownSync(target, e.uid, e.gid);
  lutimesSync(target, e.mtime, e.mtime); // the entry's time, so that a diff of the tree gives the same bytes
}

/** The host path of a hardlink's target, which must already exist inside the root. */
function linkTarget(paths: LayerPaths, e: TarEntry, self: string): string {
  const rel = cleanEntryPath(e.linkname, `hardlink target of "${e.name}"`);
  const bad = (why: string) => new InvalidArgumentError(`invalid hardlink "${e.name}" -> "${e.linkname}": ${why}`);
  if (rel === '') throw bad('target is the layer root');
  const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const parent = paths.resolveDir(parentRel, e.name, false);
  if (parent === undefined) throw bad('target does not exist in the layer');
  const target = paths.abs(parent ? `${parent}/${posix.basename(rel)}` : posix.basename(rel));
  if (target === self) throw bad('target is the link itself');
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(target);
  } catch {
    st = undefined;
  }
  if (!st) throw bad('target does not exist in the layer');
  if (st.isDirectory()) throw bad('target is a directory');
  return target;
}

/** Maps decompressor errors to clear InvalidArgument errors. */
function layerError(err: unknown): unknown {
  if (isBerthError(err)) return err;
  const e = err as { code?: string; message?: string };
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e?.message ?? '')) {
    return new InvalidArgumentError(TRUNCATED, { cause: err });
  }
  if (
    typeof e?.code === 'string' &&
    (e.code.startsWith('Z_') ||
      e.code.startsWith('ZSTD_') ||
      e.code.startsWith('ERR_ZSTD') ||
      e.code.startsWith('ERR__ZSTD'))
  ) {
    return new InvalidArgumentError(`invalid compressed layer data: ${e.message}`, { cause: err });
  }
  return err;
}

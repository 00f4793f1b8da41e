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
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, Digester } from '../lib/digest.ts';
import { InvalidArgumentError, isBerthError, isNotFound } from '../lib/errors.ts';
import { native } from '../sys/native.ts';
import { decompressed } from './decompress.ts';
import { cleanEntryPath, LayerPaths } from './layer-path.ts';
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
}

export interface ApplyOptions {
  /** Turn OCI whiteouts into overlay whiteouts (default true). False: apply a plain tree (docker cp). */
  whiteouts?: boolean;
}

export async function applyLayer(src: Readable, dir: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const whiteouts = opts.whiteouts ?? true;
  const digester = new Digester('sha256');
  const paths = new LayerPaths(dir);
  const dirTimes: Array<[string, number]> = [];
  const sys = native();
  let size = 0;
  await mkdir(dir, { recursive: true });
  let stream: Readable | undefined;
  try {
    stream = (await decompressed(src)).stream;
    await readTar(
      stream,
      async (e, body) => {
        const rel = cleanEntryPath(e.name);
        if (e.type === 'file') size += e.size;
        const base = posix.basename(rel);
        if (whiteouts && base.startsWith(WHITEOUT)) {
          await applyWhiteout(paths, rel, base, e);
          return;
        }
        const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
        const parent = rel === '' ? '' : await paths.resolveDir(parentRel, e.name, true);
        const targetRel = rel === '' ? '' : parent ? `${parent}/${base}` : base;
        const target = paths.abs(targetRel);
        if (rel === '' && e.type !== 'dir')
          throw new InvalidArgumentError(`invalid entry "${e.name}": the root must be a directory`);

        const existing = await lstat(target).catch((err) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        if (existing && !(existing.isDirectory() && e.type === 'dir')) {
          await rm(target, { recursive: true, force: true });
          paths.forget(targetRel);
        }
        switch (e.type) {
          case 'dir':
            if (!existing?.isDirectory()) await mkdir(target, 0o700);
            paths.knowDir(targetRel);
            break;
          case 'file': {
            const fh = await open(target, 'wx', 0o600);
            try {
              for await (const chunk of body) {
                let off = 0;
                while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
              }
            } finally {
              await fh.close();
            }
            break;
          }
          case 'symlink':
            await symlink(e.linkname, target);
            break;
          case 'link': {
            await link(await linkTarget(paths, e), target);
            return; // a hardlink shares the target's metadata
          }
          case 'char':
          case 'block':
            sys.mknod(target, (e.type === 'char' ? S_IFCHR : S_IFBLK) | (e.mode & 0o777), e.devmajor, e.devminor);
            break;
          case 'fifo':
            sys.mkfifo(target, e.mode & 0o777);
            break;
        }
        await setMetadata(target, e);
        if (e.type === 'dir') dirTimes.push([target, e.mtime]);
        else await lutimes(target, e.mtime, e.mtime);
      },
      { onBytes: (b) => digester.update(b), truncated: TRUNCATED },
    );
  } catch (err) {
    stream?.destroy(); // stop reading (and decompressing) the rest
    throw layerError(err);
  }
  // directory times last, deepest first, once nothing more is written into them
  for (let i = dirTimes.length - 1; i >= 0; i--) await lutimes(dirTimes[i][0], dirTimes[i][1], dirTimes[i][1]);
  return { diffId: digester.digest(), size, tarSize: digester.size };
}

/** Owner, then mode (chown clears setuid), then xattrs (chown clears security.capability). */
async function setMetadata(target: string, e: TarEntry): Promise<void> {
  await lchown(target, e.uid, e.gid);
  if (e.type !== 'symlink') await chmod(target, e.mode & 0o7777);
  const sys = native();
  for (const [name, value] of e.xattrs) {
    if (name.startsWith('trusted.overlay.')) continue; // only whiteouts make overlay metadata
    try {
      sys.lsetxattr(target, name, value);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    }
  }
}

async function applyWhiteout(paths: LayerPaths, rel: string, base: string, e: TarEntry): Promise<void> {
  const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const parent = await paths.resolveDir(parentRel, e.name, true);
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
  await rm(target, { recursive: true, force: true });
  paths.forget(targetRel);
  native().mknod(target, S_IFCHR, 0, 0);
  await lchown(target, e.uid, e.gid);
}

/** The host path of a hardlink's target, which must already exist inside the root. */
async function linkTarget(paths: LayerPaths, e: TarEntry): Promise<string> {
  const rel = cleanEntryPath(e.linkname, `hardlink target of "${e.name}"`);
  const bad = (why: string) => new InvalidArgumentError(`invalid hardlink "${e.name}" -> "${e.linkname}": ${why}`);
  if (rel === '') throw bad('target is the layer root');
  const parentRel = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const parent = await paths.resolveDir(parentRel, e.name, false);
  if (parent === undefined) throw bad('target does not exist in the layer');
  const target = paths.abs(parent ? `${parent}/${posix.basename(rel)}` : posix.basename(rel));
  const st = await lstat(target).catch(() => undefined);
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

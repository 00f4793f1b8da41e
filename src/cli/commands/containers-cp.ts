/**
 * berth cp: files between a container and the host, tar on the wire
 * (`GET`/`PUT`/`HEAD /containers/{id}/archive`), with docker's rules for
 * where the copy lands (into an existing directory, or as the named path).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, readdir, readlink, rm, stat, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { getArchive, type PathStat, putArchive, statPath } from '../../client/containers.ts';
import { ApiError } from '../../client/errors.ts';
import { api } from '../context.ts';

const MODE_DIR = 0x80000000;

/** `CONTAINER:PATH` or a host path (a `:` after a `/` or `.` is part of a host path). */
function splitArg(arg: string): { container?: string; path: string } {
  if (/^[./]/.test(arg)) return { path: arg };
  const i = arg.indexOf(':');
  return i > 0 ? { container: arg.slice(0, i), path: arg.slice(i + 1) } : { path: arg };
}

export async function cp(src: string, dst: string, o: { followLink?: boolean; archive?: boolean }): Promise<void> {
  const s = splitArg(src);
  const d = splitArg(dst);
  if (s.container && d.container) throw new Error('copying between containers is not supported');
  if (s.container) return fromContainer(s.container, s.path, d.path);
  if (d.container) return toContainer(s.path, d.container, d.path, !!o.followLink, !!o.archive);
  throw new Error('must specify at least one container source (CONTAINER:PATH)');
}

async function hostStat(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

async function fromContainer(container: string, path: string, dest: string): Promise<void> {
  const { tar: body, stat: st } = await getArchive(api(), container, path);
  if (dest === '-') {
    await pipeline(body, process.stdout);
    return;
  }
  const srcIsDir = !!st && (st.mode & MODE_DIR) !== 0;
  const contentsOnly = /\/\.$/.test(path);
  const existing = await hostStat(dest);
  let root: string;
  if (existing?.isDirectory()) root = contentsOnly ? dest : join(dest, st?.name ?? posix.basename(path));
  else if (existing) {
    if (srcIsDir) throw new Error(`cannot copy a directory to a file: ${dest}`);
    root = dest;
  } else {
    if (dest.endsWith('/') && !srcIsDir) throw new Error(`destination directory ${dest} does not exist`);
    if (!(await hostStat(dirname(resolve(dest))))) throw new Error(`no such directory: ${dirname(dest)}`);
    root = dest;
  }
  await extractRebased(body, resolve(root));
}

/** Unpacks a tar whose first path component names the copied item, as `root`. */
async function extractRebased(body: NodeJS.ReadableStream, root: string): Promise<void> {
  const ex = tar.extract();
  const done = (async () => {
    let top: string | undefined;
    for await (const entry of ex) {
      const h = entry.header;
      const name = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
      const first = name.split('/')[0] ?? '';
      top ??= first;
      const rel = name === top ? '' : name.startsWith(`${top}/`) ? name.slice(top.length + 1) : name;
      const out = rel ? join(root, rel) : root;
      if (out !== root && !out.startsWith(root + sep))
        throw new Error(`archive entry escapes the destination: ${h.name}`);
      const mode = (h.mode ?? 0o644) & 0o7777;
      switch (h.type) {
        case 'directory':
          await mkdir(out, { recursive: true, mode });
          entry.resume();
          break;
        case 'symlink':
          await rm(out, { force: true });
          await symlink(h.linkname ?? '', out);
          entry.resume();
          break;
        case 'link': {
          const target = (h.linkname ?? '').replace(/^\.?\/+/, '');
          const trel = target === top ? '' : target.slice((top as string).length + 1);
          await rm(out, { force: true });
          await link(join(root, trel), out);
          entry.resume();
          break;
        }
        case 'file':
        case 'contiguous-file':
        case undefined:
        case null:
          await rm(out, { force: true, recursive: false }).catch(() => {});
          await pipeline(entry, createWriteStream(out, { mode }));
          break;
        default:
          entry.resume();
          continue;
      }
      if (h.mtime && h.type !== 'symlink') await utimes(out, h.mtime, h.mtime).catch(() => {});
    }
  })();
  await Promise.all([pipeline(body, ex), done]);
}

async function containerStat(container: string, path: string): Promise<PathStat | undefined> {
  try {
    return await statPath(api(), container, path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && !/no such container/i.test(e.message)) return undefined;
    throw e;
  }
}

async function toContainer(
  src: string,
  container: string,
  path: string,
  followLink: boolean,
  archive: boolean,
): Promise<void> {
  if (src === '-') {
    await putArchive(api(), container, path, process.stdin, { noOverwriteDirNonDir: true });
    return;
  }
  const local = followLink ? await stat(src) : await lstat(src);
  const target = await containerStat(container, path);
  const contentsOnly = /\/\.$/.test(src);
  let dir: string;
  let rootName: string;
  if (target && (target.mode & MODE_DIR) !== 0) {
    dir = path;
    rootName = contentsOnly ? '.' : basename(resolve(src));
  } else if (target) {
    if (local.isDirectory()) throw new Error(`cannot copy a directory to a file: ${path}`);
    dir = posix.dirname(path);
    rootName = posix.basename(path);
  } else {
    if (path.endsWith('/') && !local.isDirectory()) throw new Error(`no such directory: ${path}`);
    dir = posix.dirname(path.replace(/\/+$/, '') || '/');
    rootName = posix.basename(path.replace(/\/+$/, ''));
  }
  const pack = tar.pack();
  const writing = packTree(pack, resolve(src), rootName, followLink, archive).then(
    () => pack.finalize(),
    (e: Error) => pack.destroy(e),
  );
  await Promise.all([
    putArchive(api(), container, dir, Readable.from(pack, { objectMode: false }), {
      noOverwriteDirNonDir: true,
      copyUIDGID: archive,
    }),
    writing,
  ]);
}

async function packTree(pack: tar.Pack, path: string, name: string, follow: boolean, keepIds: boolean): Promise<void> {
  const st = follow ? await stat(path) : await lstat(path);
  const ids = keepIds ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 };
  const base = { name, mode: st.mode & 0o7777, mtime: st.mtime, ...ids };
  if (st.isDirectory()) {
    if (name !== '.') await entry(pack, { ...base, type: 'directory' });
    for (const child of (await readdir(path)).sort())
      await packTree(pack, join(path, child), name === '.' ? child : `${name}/${child}`, false, keepIds);
  } else if (st.isSymbolicLink()) {
    await entry(pack, { ...base, type: 'symlink', linkname: await readlink(path) });
  } else if (st.isFile()) {
    if (!st.size) return entry(pack, { ...base, type: 'file', size: 0 });
    let sink!: ReturnType<tar.Pack['entry']>;
    const written = new Promise<void>((res, rej) => {
      sink = pack.entry({ ...base, type: 'file', size: st.size }, (e) => (e ? rej(e) : res()));
    });
    for await (const chunk of createReadStream(path, { start: 0, end: st.size - 1 })) {
      if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
    }
    sink.end(null);
    await written;
  }
}

function entry(pack: tar.Pack, h: Parameters<tar.Pack['entry']>[0]): Promise<void> {
  return new Promise((res, rej) => pack.entry(h, (e) => (e ? rej(e) : res())));
}

/**
 * COPY and ADD without a container: sources are resolved (wildcards,
 * Docker's directory and trailing-slash rules), checksummed for the cache
 * key (name, mode, content; never mtime), then written into the step's
 * writable root with their owner (`--chown`, default 0:0) and mode
 * (`--chmod`). ADD also extracts local tar archives (plain, gzip, zstd) and
 * fetches URLs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { resolveInRoot } from '../../engine/containers/rootfs-path.ts';
import { resolveUser } from '../../engine/containers/user.ts';
import { errorMessage, InvalidArgumentError } from '../../lib/errors.ts';
import { applyLayer } from '../../store/layer-apply.ts';
import { cleanSource, expandWildcard, hasWildcard } from './glob.ts';

export interface CopySpec {
  kind: 'COPY' | 'ADD';
  /** Where local sources come from: the context, or another stage's or image's root. */
  srcRoot: string;
  /** Expanded source paths or URLs. */
  sources: string[];
  /** Inline files (heredocs), bodies already expanded. */
  inline: Array<{ name: string; content: string }>;
  /** Expanded destination, as written (trailing slash significant). */
  dest: string;
  workdir: string;
  chown?: string;
  chmod?: string;
  /** The owner and mode, when resolved elsewhere (COPY --link resolves names in the parent's root). */
  owner?: Owner;
  /** Scratch dir for downloads. */
  scratch: string;
}

type Item =
  | { type: 'path'; abs: string; rel: string; st: Stats }
  | { type: 'inline'; name: string; content: string }
  | { type: 'url'; url: string; file: string; name: string };

export interface CopyPlan {
  items: Item[];
  destIsDir: boolean;
  destAbs: string;
  /** Checksum of everything copied. */
  checksum: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function hashTree(h: ReturnType<typeof createHash>, abs: string, rel: string, st: Stats): Promise<void> {
  h.update(`${rel}\0${st.mode}\0`);
  if (st.isSymbolicLink()) h.update(await readlink(abs));
  else if (st.isFile()) {
    for await (const c of createReadStream(abs)) h.update(c as Buffer);
  } else if (st.isDirectory()) {
    for (const n of (await readdir(abs)).sort()) {
      const p = join(abs, n);
      await hashTree(h, p, `${rel}/${n}`, await lstat(p));
    }
  }
  h.update('\0');
}

async function download(url: string, scratch: string): Promise<{ file: string; name: string; sum: string }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw new InvalidArgumentError(`failed to fetch ${url}: ${errorMessage(e)}`);
  }
  if (!res.ok) throw new InvalidArgumentError(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const body = Buffer.from(await res.arrayBuffer());
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, `dl-${createHash('sha256').update(url).digest('hex').slice(0, 16)}-${Date.now()}`);
  await writeFile(file, body, { mode: 0o600 });
  const lm = res.headers.get('last-modified');
  if (lm && Number.isFinite(Date.parse(lm))) await lutimes(file, new Date(lm), new Date(lm));
  const name = basename(new URL(url).pathname) || 'index.html';
  return { file, name, sum: createHash('sha256').update(body).digest('hex') };
}

export async function planCopy(s: CopySpec): Promise<CopyPlan> {
  const items: Item[] = [];
  const h = createHash('sha256');
  for (const src of s.sources) {
    if (isUrl(src)) {
      if (s.kind === 'COPY') throw new InvalidArgumentError(`source can't be a URL for COPY: ${src}`);
      const dl = await download(src, s.scratch);
      h.update(`url\0${src}\0${dl.sum}\0`);
      items.push({ type: 'url', url: src, file: dl.file, name: dl.name });
      continue;
    }
    const clean = cleanSource(src);
    const rels = hasWildcard(clean) ? await expandWildcard(s.srcRoot, clean) : [clean];
    let found = 0;
    for (const rel of rels) {
      const abs = rel === '' ? s.srcRoot : resolveInRoot(s.srcRoot, rel);
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch {
        if (hasWildcard(clean)) continue;
        throw new InvalidArgumentError(
          `${s.kind} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`,
        );
      }
      found++;
      await hashTree(h, abs, rel, st);
      items.push({ type: 'path', abs, rel, st });
    }
    if (found === 0) throw new InvalidArgumentError(`${s.kind} failed: no source files were specified (${src})`);
  }
  for (const f of s.inline) {
    h.update(`inline\0${f.name}\0${f.content}\0`);
    items.push({ type: 'inline', name: f.name, content: f.content });
  }
  if (items.length === 0) throw new InvalidArgumentError(`${s.kind} failed: no source files were specified`);
  const destAbs = s.dest.startsWith('/') ? s.dest : posix.join(s.workdir || '/', s.dest);
  const destIsDir = s.dest.endsWith('/') || s.dest === '.' || s.dest.endsWith('/.');
  if (items.length > 1 && !destIsDir) {
    throw new InvalidArgumentError(
      `When using ${s.kind} with more than one source file, the destination must be a directory and end with a /`,
    );
  }
  h.update(`dest\0${destAbs}\0${destIsDir}\0${s.chown ?? ''}\0${s.chmod ?? ''}`);
  return { items, destIsDir, destAbs, checksum: `sha256:${h.digest('hex')}` };
}

export interface Owner {
  uid: number;
  gid: number;
  mode?: number;
}

/** `--chown` and `--chmod` → uid, gid and mode; user and group names are looked up in root's /etc files. */
export function ownerOf(root: string, chown: string | undefined, chmodText: string | undefined): Owner {
  let mode: number | undefined;
  if (chmodText !== undefined) {
    if (!/^[0-7]{3,4}$/.test(chmodText)) throw new InvalidArgumentError(`invalid chmod parameter: ${chmodText}`);
    mode = Number.parseInt(chmodText, 8);
  }
  if (!chown) return { uid: 0, gid: 0, mode };
  const [u, g] = chown.split(':', 2);
  const resolved = resolveUser(root, g === undefined ? u : `${u}:${g}`);
  // a user without a group: the group is the user's primary group when named, else the same number
  const gid = g === undefined && /^\d+$/.test(u) ? resolved.uid : resolved.gid;
  return { uid: resolved.uid, gid, mode };
}

/** mkdir -p inside root (symlinks followed within it), created dirs owned by `o`. */
async function mkdirs(root: string, path: string, o: Owner): Promise<string> {
  const parts = posix.normalize(path).split('/').filter(Boolean);
  let cur = '/';
  for (const p of parts) {
    cur = posix.join(cur, p);
    const host = resolveInRoot(root, cur);
    let st: Stats | undefined;
    try {
      st = await lstat(host);
    } catch {}
    if (st?.isDirectory()) continue;
    if (st) throw new InvalidArgumentError(`cannot copy to ${path}: ${cur} is not a directory`);
    await mkdir(host, 0o755);
    await lchown(host, o.uid, o.gid);
  }
  return resolveInRoot(root, path);
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function copyEntry(src: string, st: Stats, dest: string, o: Owner): Promise<void> {
  let existing: Stats | undefined;
  try {
    existing = await lstat(dest);
  } catch {}
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) await rm(dest, { force: true });
    if (!existing?.isDirectory()) await mkdir(dest);
    for (const n of await readdir(src)) {
      const p = join(src, n);
      await copyEntry(p, await lstat(p), join(dest, n), o);
    }
  } else {
    if (existing?.isDirectory()) await rm(dest, { recursive: true, force: true });
    if (st.isSymbolicLink()) {
      if (existing) await rm(dest, { force: true });
      await symlink(await readlink(src), dest);
    } else if (st.isFile()) {
      if (existing?.isSymbolicLink()) await rm(dest, { force: true });
      await copyFile(src, dest);
    } else return; // devices, fifos and sockets are not copied
  }
  await lchown(dest, o.uid, o.gid);
  if (!st.isSymbolicLink()) await chmod(dest, o.mode ?? st.mode & 0o7777);
  await lutimes(dest, st.atime, st.mtime);
}

async function isArchive(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
    if (bytesRead >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return true;
    return bytesRead >= 262 && b.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await fh.close();
  }
}

/** Writes the planned sources into the writable root. */
export async function applyCopy(s: CopySpec, plan: CopyPlan, root: string): Promise<void> {
  const o = s.owner ?? ownerOf(root, s.chown, s.chmod);
  const destHost = resolveInRoot(root, plan.destAbs);
  const intoDir = plan.destIsDir || (await isDir(destHost));
  for (const it of plan.items) {
    if (it.type === 'inline') {
      const target = intoDir ? posix.join(plan.destAbs, it.name) : plan.destAbs;
      const dir = await mkdirs(root, posix.dirname(target), o);
      const file = join(dir, posix.basename(target));
      await rm(file, { recursive: true, force: true });
      await writeFile(file, it.content);
      await lchown(file, o.uid, o.gid);
      await chmod(file, o.mode ?? 0o644);
      continue;
    }
    if (it.type === 'url') {
      const target = intoDir ? posix.join(plan.destAbs, it.name) : plan.destAbs;
      const dir = await mkdirs(root, posix.dirname(target), o);
      const st = await lstat(it.file);
      await copyEntry(it.file, st, join(dir, posix.basename(target)), { ...o, mode: o.mode ?? 0o600 });
      continue;
    }
    if (it.st.isDirectory()) {
      const dir = await mkdirs(root, plan.destAbs, o);
      for (const n of await readdir(it.abs)) {
        const p = join(it.abs, n);
        await copyEntry(p, await lstat(p), join(dir, n), o);
      }
      continue;
    }
    if (s.kind === 'ADD' && it.st.isFile() && (await isArchive(it.abs))) {
      const dir = await mkdirs(root, plan.destAbs, o);
      await applyLayer(createReadStream(it.abs), dir, { whiteouts: false });
      continue;
    }
    const target = intoDir ? posix.join(plan.destAbs, posix.basename(it.rel)) : plan.destAbs;
    const dir = await mkdirs(root, posix.dirname(target), o);
    await copyEntry(it.abs, it.st, join(dir, posix.basename(target)), o);
  }
}

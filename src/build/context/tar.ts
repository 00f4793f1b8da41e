/**
 * The build context as a tar stream, filtered by .dockerignore the way the
 * docker CLI does it: excluded files are left out, whole excluded
 * directories are skipped without being read unless an exception (`!`)
 * could re-include something inside, and the Dockerfile and .dockerignore
 * are always sent. Entries carry uid/gid 0, the file's mode and mtime;
 * symlinks stay symlinks, hard links become link entries, fifos and devices
 * are kept, sockets are skipped.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { errnoCode } from '../../lib/errors.ts';
import { compileIgnore, type IgnoreMatcher } from './ignore.ts';

export interface ExtraFile {
  /** Path inside the tar. */
  name: string;
  content: string | Buffer;
  mode?: number;
}

export interface ContextTarOptions {
  /** .dockerignore text or a compiled matcher; default: the context's own .dockerignore (if any). */
  ignore?: string | IgnoreMatcher;
  /** The Dockerfile's path relative to the context (default `Dockerfile`); always sent. */
  dockerfile?: string;
  /** Files added at the end, e.g. a Dockerfile from outside the context. */
  extraFiles?: ExtraFile[];
}

const IGNORE_FILE = '.dockerignore';

type TarHeader = Parameters<tar.Pack['entry']>[0];

/** Streams the filtered context of `dir` as an (uncompressed) tar. */
export function contextTar(dir: string, options: ContextTarOptions = {}): Readable {
  const pack = tar.pack();
  write(pack, dir, options).then(
    () => pack.finalize(),
    (e: unknown) => pack.destroy(e instanceof Error ? e : new Error(String(e))),
  );
  return Readable.from(pack, { objectMode: false });
}

async function loadMatcher(dir: string, ignore: ContextTarOptions['ignore']): Promise<IgnoreMatcher> {
  if (ignore !== undefined) return typeof ignore === 'string' ? compileIgnore(ignore) : ignore;
  try {
    return compileIgnore(await readFile(join(dir, IGNORE_FILE), 'utf8'));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return compileIgnore('');
    throw e;
  }
}

function normalizeRel(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

async function write(pack: tar.Pack, dir: string, options: ContextTarOptions): Promise<void> {
  const excluded = await loadMatcher(dir, options.ignore);
  const forced = new Set([IGNORE_FILE, normalizeRel(options.dockerfile ?? 'Dockerfile')]);
  const forcedBelow = (rel: string): boolean => [...forced].some((f) => f.startsWith(`${rel}/`));
  const links = new Map<string, string>();

  const walk = async (relDir: string): Promise<void> => {
    const abs = relDir === '' ? dir : join(dir, relDir);
    const names = (await readdir(abs)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const path = join(abs, name);
      const st = await lstat(path);
      const isDir = st.isDirectory();
      if (!forced.has(rel) && excluded(rel, isDir)) {
        if (isDir && (excluded.mayReinclude(rel) || forcedBelow(rel))) await walk(rel);
        continue;
      }
      const base: TarHeader = {
        name: rel,
        mode: st.mode & 0o7777,
        mtime: st.mtime,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
      };
      if (isDir) {
        await entry(pack, { ...base, name: `${rel}/`, type: 'directory' });
        await walk(rel);
      } else if (st.isSymbolicLink()) {
        await entry(pack, { ...base, type: 'symlink', linkname: await readlink(path) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          await entry(pack, { ...base, type: 'link', linkname: first });
          continue;
        }
        if (st.nlink > 1) links.set(key, rel);
        await fileEntry(pack, { ...base, type: 'file', size: st.size }, path);
      } else if (st.isFIFO()) {
        await entry(pack, { ...base, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await entry(pack, {
          ...base,
          type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Number((BigInt(st.rdev) >> 8n) & 0xfffn) | Number((BigInt(st.rdev) >> 32n) & ~0xfffn),
          devminor: (st.rdev & 0xff) | Number((BigInt(st.rdev) >> 12n) & ~0xffn),
        });
      }
    }
  };

  await walk('');
  for (const f of options.extraFiles ?? []) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    await entry(
      pack,
      { name: f.name, type: 'file', mode: f.mode ?? 0o644, mtime: new Date(), uid: 0, gid: 0 },
      content,
    );
  }
}

function entry(pack: tar.Pack, header: TarHeader, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (content) pack.entry(header, content, done);
    else pack.entry(header, done);
  });
}

async function fileEntry(pack: tar.Pack, header: TarHeader, path: string): Promise<void> {
  if (!header.size) return entry(pack, header, Buffer.alloc(0));
  let failed: Error | undefined;
  let sink!: ReturnType<tar.Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => {
      if (err) {
        failed = err;
        reject(err);
      } else resolve();
    });
  });
  for await (const chunk of createReadStream(path, { start: 0, end: header.size - 1 })) {
    if (failed) break;
    if (!sink.write(chunk)) {
      await new Promise<void>((resolve) => {
        const go = (): void => {
          sink.off('drain', go);
          sink.off('close', go);
          resolve();
        };
        sink.on('drain', go);
        sink.on('close', go);
      });
    }
  }
  sink.end(undefined);
  return done;
}

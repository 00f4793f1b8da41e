/**
 * `berth build` and `berth builder prune`. The context (a directory, or a
 * tar on stdin with `-`) is filtered by .dockerignore here, before it is
 * sent; a Dockerfile outside the context travels inside it under a
 * generated name. Secrets (`--secret id=ID,src=FILE` or `env=VAR`) go in
 * the `X-Berth-Build-Secrets` header (see src/api/routes/build.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { contextTar } from '../../build/context/index.ts';
import { api } from '../context.ts';
import { humanSize } from '../output.ts';

export interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  label?: string[];
  target?: string;
  cache?: boolean;
  cacheFrom?: string[];
  secret?: string[];
  quiet?: boolean;
  network?: string;
  platform?: string;
  pull?: boolean;
}

function keyValues(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i < 0) {
      const env = process.env[kv];
      if (env !== undefined) out[kv] = env;
      else if (what === 'label') out[kv] = '';
      continue;
    }
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `id=ID,src=FILE` / `id=ID,env=VAR` / `id=ID` (env var ID, else file ID) → contents. */
export function readSecrets(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of list ?? []) {
    const f: Record<string, string> = {};
    for (const part of spec.split(',')) {
      const i = part.indexOf('=');
      if (i < 0) throw new Error(`invalid --secret ${spec}: expected key=value fields`);
      f[part.slice(0, i)] = part.slice(i + 1);
    }
    const id = f.id;
    if (!id) throw new Error(`invalid --secret ${spec}: id is required`);
    const src = f.src ?? f.source;
    let data: Buffer;
    if (src) data = readFileSync(src);
    else if (f.env !== undefined || process.env[id] !== undefined) {
      const v = process.env[f.env ?? id];
      if (v === undefined) throw new Error(`secret ${id}: environment variable ${f.env ?? id} is not set`);
      data = Buffer.from(v);
    } else data = readFileSync(id);
    out[id] = data.toString('base64');
  }
  return out;
}

function contextStream(contextArg: string, file: string | undefined): { stream: Readable; dockerfile?: string } {
  if (contextArg === '-') return { stream: process.stdin, dockerfile: file };
  const dir = resolve(contextArg);
  if (!statSync(dir).isDirectory())
    throw new Error(`unable to prepare context: path "${contextArg}" is not a directory`);
  const df = file ? resolve(file) : join(dir, 'Dockerfile');
  const rel = relative(dir, df);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    const name = `.berth-dockerfile-${randomBytes(6).toString('hex')}`;
    const stream = contextTar(dir, { dockerfile: name, extraFiles: [{ name, content: readFileSync(df) }] });
    return { stream, dockerfile: name };
  }
  return { stream: contextTar(dir, { dockerfile: rel }), dockerfile: rel };
}

export async function build(contextArg: string, o: BuildFlags): Promise<void> {
  const { stream, dockerfile } = contextStream(contextArg, o.file);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      sent += chunk.length;
      cb(null, chunk);
    },
  });
  stream.on('error', (e) => counter.destroy(e));
  const secrets = readSecrets(o.secret);
  const headers: Record<string, string> = {};
  if (Object.keys(secrets).length)
    headers['X-Berth-Build-Secrets'] = Buffer.from(JSON.stringify(secrets)).toString('base64');
  const lines = api().jsonLines<{ stream?: string; aux?: { ID?: string } }>({
    method: 'POST',
    path: '/build',
    query: {
      t: o.tag ?? [],
      dockerfile,
      buildargs: JSON.stringify(keyValues(o.buildArg, 'build-arg')),
      labels: JSON.stringify(keyValues(o.label, 'label')),
      target: o.target,
      nocache: o.cache === false ? true : undefined,
      cachefrom: o.cacheFrom?.length ? JSON.stringify(o.cacheFrom) : undefined,
      q: o.quiet || undefined,
      networkmode: o.network,
      platform: o.platform,
      pull: o.pull || undefined,
      rm: true,
    },
    stream: stream.pipe(counter),
    headers,
  });
  let first = true;
  let id = '';
  for await (const m of lines) {
    if (first) {
      first = false;
      if (!o.quiet) process.stdout.write(`Sending build context to Berth daemon  ${humanSize(sent)}\n`);
    }
    if (m.aux?.ID) id = m.aux.ID;
    else if (m.stream && !o.quiet) process.stdout.write(m.stream);
  }
  if (o.quiet) process.stdout.write(`${id}\n`);
}

export async function builderPrune(o: { keepStorage?: string; all?: boolean; force?: boolean }): Promise<void> {
  const keep = o.keepStorage ? parseBytes(o.keepStorage) : undefined;
  const res = await api().json<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>({
    method: 'POST',
    path: '/build/prune',
    query: { 'keep-storage': keep, all: o.all || undefined },
  });
  if (res.CachesDeleted?.length) {
    process.stdout.write('Deleted build cache objects:\n');
    for (const id of res.CachesDeleted) process.stdout.write(`${id}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`Total reclaimed space: ${humanSize(res.SpaceReclaimed)}\n`);
}

function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size: ${s}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

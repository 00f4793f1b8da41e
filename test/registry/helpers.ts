/** Shared pieces of the registry tests: a registry per test, a tiny HTTP client, and image builders. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/lib/log.ts';
import { type RunningRegistry, startRegistry } from '../../src/registry/server.ts';
import { projectRoot } from '../../src/sys/native.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): any;
}

export interface ReqOptions {
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  ca?: Buffer;
  /** Send the body with chunked transfer encoding (no Content-Length). */
  chunked?: boolean;
}

export function req(base: string, method: string, path: string, o: ReqOptions = {}): Promise<Reply> {
  const url = new URL(base);
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
  if (body && !o.chunked && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
  const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = fn({ host: url.hostname, port: url.port, method, path, headers, ca: o.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b.toString()) });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (body && o.chunked) {
      r.write(body.subarray(0, Math.floor(body.length / 2)));
      r.end(body.subarray(Math.floor(body.length / 2)));
    } else r.end(body);
  });
}

export function sha256(b: Buffer | string): `sha256:${string}` {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export function sha512(b: Buffer | string): `sha512:${string}` {
  return `sha512:${createHash('sha512').update(b).digest('hex')}`;
}

export interface TestRegistry extends RunningRegistry {
  root: string;
  call(method: string, path: string, o?: ReqOptions): Promise<Reply>;
  dispose(): Promise<void>;
}

export async function testRegistry(extra: Record<string, unknown> = {}): Promise<TestRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'berth-reg-'));
  const r = await startRegistry(
    { storage: { driver: 'filesystem', root: join(root, 'data') }, http: { addr: '127.0.0.1:0' }, ...extra },
    { log: silentLogger },
  );
  return {
    ...r,
    root,
    call: (m, p, o) => req(r.url, m, p, o),
    dispose: async () => {
      await r.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** `berth registry serve` as users start it (bin/berth: the bundle and its flags), answering on `port`. */
export async function startRegistryProcess(root: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    join(projectRoot(), 'bin/berth'),
    ['registry', 'serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--no-access-log'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await req(`http://127.0.0.1:${port}`, 'GET', '/v2/')).status === 200) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('registry child did not start');
}

export async function pushBlob(base: string, name: string, data: Buffer | string, o: ReqOptions = {}): Promise<string> {
  const d = sha256(data);
  const r = await req(base, 'POST', `/v2/${name}/blobs/uploads/?digest=${d}`, {
    ...o,
    body: data,
    headers: { 'Content-Type': 'application/octet-stream', ...(o.headers ?? {}) },
  });
  if (r.status === 202) {
    // A registry without single-POST uploads: go on with PUT, as the spec says a client should.
    const loc = new URL(String(r.headers.location), base);
    const sep = loc.search ? '&' : '?';
    const put = await req(base, 'PUT', `${loc.pathname}${loc.search}${sep}digest=${d}`, {
      ...o,
      body: data,
      headers: { 'Content-Type': 'application/octet-stream', ...(o.headers ?? {}) },
    });
    if (put.status !== 201) throw new Error(`push blob (PUT): ${put.status} ${put.body}`);
    return d;
  }
  if (r.status !== 201) throw new Error(`push blob: ${r.status} ${r.body}`);
  return d;
}

export interface TestImage {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
}

/** An OCI image manifest over a config and layers (content only; push it with pushImage). */
export function makeImage(seed: string, extra: Record<string, unknown> = {}): TestImage {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', seed, rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layers = [Buffer.from(`layer-a-${seed}`), Buffer.from(`layer-b-${seed}`)];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256(l),
        size: l.length,
      })),
      ...extra,
    }),
  );
  return { config, layers, manifest, digest: sha256(manifest) };
}

export async function pushImage(
  base: string,
  name: string,
  ref: string,
  img: TestImage,
  o: ReqOptions = {},
): Promise<Reply> {
  for (const b of [img.config, ...img.layers]) await pushBlob(base, name, b, o);
  return req(base, 'PUT', `/v2/${name}/manifests/${ref}`, {
    ...o,
    body: img.manifest,
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', ...(o.headers ?? {}) },
  });
}

/**
 * Pull-through cache mode: the registry answers pulls from its own storage
 * and fetches what it lacks from an upstream registry, keeping a copy.
 * Manifests by tag are re-checked upstream at most once per `tagTtlMs`;
 * when the upstream is down, what is cached is served. Blobs are streamed to
 * the client while they are written and verified (a mismatch is never kept).
 * Upstream auth: Basic, or Docker's bearer token flow with the configured
 * credentials.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Digest } from '../lib/digest.ts';
import type { Logger } from '../lib/log.ts';
import { MediaType } from '../oci/media-types.ts';
import { manifestUnknown, RegistryError } from './errors.ts';
import { MAX_MANIFEST_SIZE } from './manifest.ts';
import type { ManifestRef } from './names.ts';
import type { Registry } from './registry.ts';

export interface UpstreamConfig {
  remoteurl: string;
  username?: string;
  password?: string;
  tagTtlMs?: number;
}

const ACCEPT = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerManifestList].join(
  ', ',
);

export class ProxyCache {
  private readonly reg: Registry;
  private readonly up: UpstreamConfig;
  private readonly log: Logger;
  private readonly checked = new Map<string, number>();
  private readonly tokens = new Map<string, string>();

  constructor(reg: Registry, up: UpstreamConfig, log: Logger) {
    this.reg = reg;
    this.up = { ...up, remoteurl: up.remoteurl.replace(/\/+$/, '') };
    this.log = log;
  }

  private basic(): string | undefined {
    if (this.up.username === undefined) return undefined;
    return `Basic ${Buffer.from(`${this.up.username}:${this.up.password ?? ''}`).toString('base64')}`;
  }

  /** A request upstream, answering one auth challenge. */
  private async fetch(
    path: string,
    method: string,
    scope: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const url = `${this.up.remoteurl}${path}`;
    const auth = this.tokens.get(scope) ?? this.basic();
    let res = await fetch(url, { method, headers: { ...headers, ...(auth ? { Authorization: auth } : {}) } });
    if (res.status !== 401) return res;
    const challenge = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel();
    let retryAuth = this.basic();
    if (/^bearer /i.test(challenge)) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const q = new URLSearchParams({ service: params.service ?? '', scope });
      const basic = this.basic();
      const tr = await fetch(`${params.realm}?${q}`, { headers: basic ? { Authorization: basic } : {} });
      if (!tr.ok) return res;
      const body = (await tr.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return res;
      retryAuth = `Bearer ${token}`;
      this.tokens.set(scope, retryAuth);
    }
    if (!retryAuth) return res;
    res = await fetch(url, { method, headers: { ...headers, Authorization: retryAuth } });
    return res;
  }

  /** Makes sure the manifest `ref` of `name` is in local storage (fresh enough for a tag). */
  async ensureManifest(name: string, ref: ManifestRef): Promise<void> {
    const key = ref.kind === 'tag' ? `${name}:${ref.tag}` : `${name}@${ref.digest}`;
    if (ref.kind === 'digest' && (await this.reg.manifests.has(name, ref.digest))) return;
    const at = this.checked.get(key);
    if (at !== undefined && Date.now() - at < (this.up.tagTtlMs ?? 30_000)) return;
    const reference = ref.kind === 'tag' ? ref.tag : ref.digest;
    let res: Response;
    try {
      res = await this.fetch(`/v2/${name}/manifests/${reference}`, 'GET', `repository:${name}:pull`, {
        Accept: ACCEPT,
      });
    } catch (e) {
      this.log.warn('upstream unreachable', { name, reference, error: e as Error });
      return;
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw manifestUnknown(reference);
    }
    if (!res.ok) {
      await res.body?.cancel();
      this.log.warn('upstream error', { name, reference, status: res.status });
      return;
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_MANIFEST_SIZE) throw new RegistryError('SIZE_INVALID', 413, 'upstream manifest too large');
    await this.reg.manifests.put(name, ref, body, res.headers.get('content-type') ?? undefined, {
      trustReferences: true,
    });
    this.checked.set(key, Date.now());
  }

  /** Size of an upstream blob (HEAD), or undefined. */
  async blobSize(name: string, digest: Digest): Promise<number | undefined> {
    try {
      const res = await this.fetch(`/v2/${name}/blobs/${digest}`, 'HEAD', `repository:${name}:pull`);
      if (!res.ok) return undefined;
      const n = Number(res.headers.get('content-length'));
      return Number.isFinite(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Fetches a blob from upstream into storage. Without a Range request the
   * bytes also go straight to the client (true is returned: answered); with
   * one, the blob is stored first and false lets the caller serve it.
   */
  async streamBlob(name: string, digest: Digest, req: IncomingMessage, client: ServerResponse): Promise<boolean> {
    let res: Response;
    try {
      res = await this.fetch(`/v2/${name}/blobs/${digest}`, 'GET', `repository:${name}:pull`);
    } catch {
      return false;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return false;
    }
    const upstream = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    const length = Number(res.headers.get('content-length'));
    const tee = !req.headers.range;
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const chunk of upstream) {
        if (tee && !client.write(chunk)) await once(client, 'drain');
        yield chunk as Uint8Array;
      }
    }
    if (tee) {
      client.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Docker-Content-Digest': digest,
        ...(Number.isFinite(length) ? { 'Content-Length': length } : {}),
      });
    }
    const uuid = await this.reg.uploads.create(name);
    try {
      await this.reg.uploads.complete(name, uuid, digest, body());
    } catch (e) {
      await this.reg.uploads.remove(name, uuid).catch(() => {});
      if (tee) client.destroy(e as Error);
      throw e;
    }
    if (tee) client.end();
    return tee;
  }
}

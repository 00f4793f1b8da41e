/**
 * A client of one registry (OCI Distribution Spec v1.1 / Docker Registry
 * HTTP API v2): manifests, blobs, uploads, with authentication retried once
 * per request after a 401 challenge.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { type Digest, digestOf, isDigest } from '../lib/digest.ts';
import {
  ForbiddenError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
} from '../lib/errors.ts';
import { MediaType } from '../oci/media-types.ts';
import { Authorizer, type Credentials } from './auth.ts';
import type { Endpoint } from './hosts.ts';
import { Transport } from './transport.ts';

export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.DockerSchema1SignedManifest,
  MediaType.DockerSchema1Manifest,
].join(', ');

const MAX_MANIFEST = 4 * 1024 * 1024;

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

interface Req {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | (() => Readable);
  scopes: string[];
}

export async function readAllBody(res: IncomingMessage, limit = MAX_MANIFEST): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new InvalidArgumentError(`registry response larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The registry's error text: `{"errors":[{"code","message"}]}` or the raw body. */
async function registryError(res: IncomingMessage, what: string): Promise<Error> {
  const text = (await readAllBody(res).catch(() => Buffer.alloc(0))).toString();
  let detail = text.trim().slice(0, 300);
  try {
    const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (j.errors?.length) detail = j.errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {}
  const status = res.statusCode ?? 500;
  const msg = `${what}: ${detail || `HTTP ${status}`}`;
  if (status === 401) return new UnauthorizedError(msg);
  if (status === 403) return new ForbiddenError(msg);
  if (status === 404) return new NotFoundError(msg);
  if (status === 400) return new InvalidArgumentError(msg);
  if (status >= 500) return new UnavailableError(msg);
  return new InternalError(msg);
}

export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}
export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

/** Chunk size of a chunked upload, unless the registry asks for more. */
const CHUNK = 8 << 20;

export class RegistryClient {
  readonly transport: Transport;
  readonly auth: Authorizer;

  constructor(ep: Endpoint, creds: Credentials = {}) {
    this.transport = new Transport(ep);
    this.auth = new Authorizer(creds, ep.tls);
  }

  get endpoint(): Endpoint {
    return this.transport.endpoint;
  }

  /** Sends with auth; after a 401 learns the challenge and retries once. */
  async request(method: string, path: string, r: Req): Promise<IncomingMessage> {
    await this.auth.ensure(r.scopes);
    for (let attempt = 0; ; attempt++) {
      const headers: OutgoingHttpHeaders = { ...r.headers };
      const a = this.auth.header(r.scopes);
      if (a) headers.Authorization = a;
      const body = typeof r.body === 'function' ? r.body() : r.body;
      const res = await this.transport.send(method, path, { headers, body });
      if (res.statusCode === 401 && attempt === 0 && (await this.auth.challenged(res, r.scopes))) {
        res.resume();
        continue;
      }
      return res;
    }
  }

  /** GET /v2/ with credentials: the check behind `docker login`. */
  async login(): Promise<void> {
    const res = await this.request('GET', '/v2/', { scopes: [] });
    if (res.statusCode === 200) {
      res.resume();
      return;
    }
    if (res.statusCode === 401) {
      res.resume();
      throw new UnauthorizedError(
        `login to ${this.endpoint.domain} failed: unauthorized: incorrect username or password`,
      );
    }
    throw await registryError(res, `login to ${this.endpoint.domain} failed`);
  }

  async getManifest(repo: string, ref: string): Promise<FetchedManifest> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${ref}`, {
      headers: { Accept: MANIFEST_ACCEPT },
      scopes: [pullScope(repo)],
    });
    if (res.statusCode !== 200) {
      if (res.statusCode === 404) {
        res.resume();
        throw new NotFoundError(`manifest for ${this.endpoint.domain}/${repo}:${ref} not found: manifest unknown`);
      }
      throw await registryError(res, `cannot get manifest ${repo}:${ref}`);
    }
    const bytes = await readAllBody(res);
    const digest = isDigest(ref) ? digestOf(bytes, ref.startsWith('sha512:') ? 'sha512' : 'sha256') : digestOf(bytes);
    if (isDigest(ref) && digest !== ref) {
      throw new InvalidArgumentError(`manifest digest mismatch: asked for ${ref}, got ${digest}`);
    }
    let mediaType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    try {
      const j = JSON.parse(bytes.toString()) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
      if (j.mediaType) mediaType = j.mediaType;
      else if (j.schemaVersion === 1) mediaType = MediaType.DockerSchema1Manifest;
      else if (!mediaType || mediaType === 'application/json')
        mediaType = j.manifests ? MediaType.OciIndex : MediaType.OciManifest;
    } catch {
      throw new InvalidArgumentError(`the manifest of ${repo}:${ref} is not valid JSON`);
    }
    return { bytes, mediaType, digest };
  }

  async hasBlob(repo: string, digest: Digest, scopes = [pullScope(repo)]): Promise<number | undefined> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scopes });
    res.resume();
    if (res.statusCode === 200) return Number(res.headers['content-length'] ?? -1);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode === 401 || res.statusCode === 403) throw await registryError(res, `cannot check blob ${digest}`);
    return undefined;
  }

  /** The blob's bytes from `offset` on (HTTP Range); follows redirects. Returns the body and whether the Range was honoured. */
  async blob(repo: string, digest: Digest, offset = 0): Promise<{ body: IncomingMessage; from: number }> {
    const headers: OutgoingHttpHeaders = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    let res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, { headers, scopes: [pullScope(repo)] });
    for (let hops = 0; res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      const loc = res.headers.location;
      res.resume();
      if (!loc) break;
      res = await this.transport.send('GET', String(loc), { headers });
    }
    if (res.statusCode === 206) return { body: res, from: offset };
    if (res.statusCode === 200) return { body: res, from: 0 };
    throw await registryError(res, `cannot fetch blob ${digest}`);
  }

  /** Tries a cross-repository mount; true when mounted, else the upload location the registry opened. */
  async mount(
    repo: string,
    digest: Digest,
    from: string,
  ): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?${q}`, {
      scopes: [pushScope(repo), pullScope(from)],
      headers: { 'Content-Length': 0 },
    });
    res.resume();
    if (res.statusCode === 201) return { mounted: true };
    if (res.statusCode === 202 && res.headers.location)
      return { mounted: false, location: String(res.headers.location) };
    throw await registryError(res, `cannot start upload to ${repo}`);
  }

  async startUpload(repo: string): Promise<string> {
    return (await this.openUpload(repo)).location;
  }

  /** Opens an upload; `chunkMin` when the registry asks for chunked uploads (OCI-Chunk-Min-Length). */
  async openUpload(repo: string): Promise<{ location: string; chunkMin?: number }> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, {
      scopes: [pushScope(repo)],
      headers: { 'Content-Length': 0 },
    });
    if (res.statusCode === 202 && res.headers.location) {
      res.resume();
      const min = Number(res.headers['oci-chunk-min-length']);
      return { location: String(res.headers.location), chunkMin: min > 0 ? min : undefined };
    }
    throw await registryError(res, `cannot start upload to ${repo}`);
  }

  /**
   * Uploads a blob of known size: monolithic (one PUT), or in PATCH chunks
   * with Content-Range when the registry asks for chunks. `open` gives the
   * bytes from `start` to `end` (inclusive).
   */
  async uploadBlob(
    repo: string,
    digest: Digest,
    size: number,
    open: (start: number, end: number) => Readable,
  ): Promise<void> {
    const u = await this.openUpload(repo);
    if (!u.chunkMin || size === 0) {
      await this.finishUpload(repo, u.location, digest, { stream: () => open(0, Math.max(0, size - 1)), size });
      return;
    }
    const location = await this.patchChunks(repo, u.location, open(0, size - 1), u.chunkMin);
    await this.finishUpload(repo, location, digest);
  }

  /** Streams the body as one PATCH (chunked encoding); returns the next location. */
  async patchUpload(repo: string, location: string, body: Readable): Promise<string> {
    const res = await this.request('PATCH', location, {
      scopes: [pushScope(repo)],
      headers: { 'Content-Type': 'application/octet-stream' },
      body: () => body,
    });
    if (res.statusCode === 202) {
      res.resume();
      return String(res.headers.location ?? location);
    }
    throw await registryError(res, `upload to ${repo} failed`);
  }

  /**
   * Sends the body as PATCH requests with Content-Range, in order, each of
   * at least `min` bytes but the last (a registry that asks for chunks);
   * returns the next location.
   */
  async patchChunks(repo: string, location: string, body: Readable, min: number): Promise<string> {
    const step = Math.max(min, CHUNK);
    let parts: Buffer[] = [];
    let held = 0;
    let offset = 0;
    let next = location;
    const send = async () => {
      const chunk = parts.length === 1 ? parts[0] : Buffer.concat(parts, held);
      parts = [];
      held = 0;
      const res = await this.request('PATCH', next, {
        scopes: [pushScope(repo)],
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${offset}-${offset + chunk.length - 1}`,
          'Content-Length': chunk.length,
        },
        body: chunk,
      });
      if (res.statusCode !== 202) throw await registryError(res, `upload to ${repo} failed`);
      res.resume();
      next = String(res.headers.location ?? next);
      offset += chunk.length;
    };
    for await (const c of body) {
      parts.push(c as Buffer);
      held += (c as Buffer).length;
      if (held >= step) await send();
    }
    if (held > 0) await send();
    return next;
  }

  /** Closes an upload with its digest; `body` (with its length) makes it a monolithic upload. */
  async finishUpload(
    repo: string,
    location: string,
    digest: Digest,
    body?: { stream: () => Readable; size: number },
  ): Promise<void> {
    const u = this.transport.url(location);
    u.searchParams.set('digest', digest);
    const res = await this.request('PUT', u.toString(), {
      scopes: [pushScope(repo)],
      headers: body
        ? { 'Content-Type': 'application/octet-stream', 'Content-Length': body.size }
        : { 'Content-Length': 0 },
      body: body?.stream,
    });
    if (res.statusCode === 201 || res.statusCode === 204) {
      res.resume();
      return;
    }
    throw await registryError(res, `upload of ${digest} to ${repo} failed`);
  }

  async putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${ref}`, {
      scopes: [pushScope(repo)],
      headers: { 'Content-Type': mediaType },
      body: bytes,
    });
    if (res.statusCode === 201 || res.statusCode === 200) {
      res.resume();
      return digestOf(bytes);
    }
    throw await registryError(res, `cannot put manifest ${repo}:${ref}`);
  }
}

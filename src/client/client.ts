/**
 * A typed client of the Engine API over a unix socket or tcp. It knows only
 * the API's wire types; every berth command and berth compose go through it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { API_VERSION } from '../lib/version.ts';
import type {
  DeleteItem,
  HistoryItem,
  ImageInspect,
  ImageSummary,
  ProgressMessage,
  PruneImagesResponse,
} from '../wire/images.ts';
import type { EventMessage, InfoResponse, VersionResponse } from '../wire/system.ts';
import { ApiError, DaemonUnreachableError } from './errors.ts';
import { oneShot, oneShotBlocking, type Target } from './one-shot.ts';

/**
 * node:http through getBuiltinModule, and only when a call streams: an ES
 * `import` of node:http makes Node 24 build a facade over all its exports,
 * which loads undici and TLS (~100 ms of CPU on every CLI start), and plain
 * JSON calls go through one-shot.ts, which needs none of node:http.
 */
function httpRequest(o: import('node:http').RequestOptions, onResponse?: (res: IncomingMessage) => void) {
  return (process.getBuiltinModule('node:http') as typeof import('node:http')).request(o, onResponse);
}

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

/** --host, then BERTH_HOST, then DOCKER_HOST, then the default socket. */
export function resolveHost(flag?: string): string {
  return flag || process.env.BERTH_HOST || process.env.DOCKER_HOST || DEFAULT_HOST;
}

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined | string[]>;
  body?: unknown;
  stream?: Readable;
  headers?: Record<string, string>;
}

export type Filters = Record<string, string[]>;

function queryString(q: RequestOptions['query']): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else p.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class EngineClient {
  readonly host: string;
  private target: Target;
  /** JSON calls block the process (oneShotBlocking): for a command that makes one call and nothing else. */
  private blocking: boolean;

  constructor(host: string = resolveHost(), o: { blocking?: boolean } = {}) {
    this.host = host;
    this.blocking = o.blocking ?? false;
    if (host.startsWith('unix://')) this.target = { socketPath: host.slice(7) };
    else if (host.startsWith('tcp://') || host.startsWith('http://')) {
      const u = new URL(host.replace(/^tcp:/, 'http:'));
      this.target = { hostname: u.hostname, port: Number(u.port || 2375) };
    } else throw new Error(`unsupported host "${host}": use unix:///path or tcp://host:port`);
  }

  /** Sends a request and returns the raw response (status not checked). */
  raw(o: RequestOptions): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const { headers, payload } = jsonBody(o);
      if (!payload && o.stream) {
        headers['Content-Type'] ??= 'application/x-tar';
        headers['Transfer-Encoding'] = 'chunked';
      }
      const req = httpRequest(
        {
          ...this.target,
          method: o.method ?? 'GET',
          path: apiPath(o),
          headers,
        },
        resolve,
      );
      req.on('error', (e) => reject(new DaemonUnreachableError(this.host, e)));
      if (payload) req.end(payload);
      else if (o.stream) {
        o.stream.on('error', (e) => req.destroy(e));
        o.stream.pipe(req);
      } else req.end();
    });
  }

  /**
   * Asks for a hijacked stream (attach, exec start): `Connection: Upgrade`,
   * `Upgrade: tcp`; resolves with the raw socket once the daemon answers 101.
   * A status ≥ 400 becomes an ApiError.
   */
  upgrade(o: RequestOptions): Promise<{ socket: Duplex; head: Buffer }> {
    return new Promise((resolve, reject) => {
      const { headers, payload } = jsonBody(o);
      const req = httpRequest({
        ...this.target,
        method: o.method ?? 'POST',
        path: apiPath(o),
        headers: { ...headers, Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        void readAll(res).then((text) => {
          const status = res.statusCode ?? 500;
          reject(
            text.trim() ? apiError(status, text) : new ApiError(status, `the daemon did not upgrade (HTTP ${status})`),
          );
        }, reject);
      });
      req.on('error', (e) => reject(new DaemonUnreachableError(this.host, e)));
      req.end(payload);
    });
  }

  /** Sends a request; a status ≥ 400 becomes an ApiError with the daemon's message. */
  async send(o: RequestOptions): Promise<IncomingMessage> {
    const res = await this.raw(o);
    if ((res.statusCode ?? 500) >= 400) throw apiError(res.statusCode ?? 500, await readAll(res));
    return res;
  }

  /** A call whose answer is one JSON document (or nothing); without a stream it goes through one-shot.ts. */
  async json<T>(o: RequestOptions): Promise<T> {
    let text: string;
    if (o.stream) text = await readAll(await this.send(o));
    else {
      const { headers, payload } = jsonBody(o);
      const args = [this.target, o.method ?? 'GET', apiPath(o), headers, payload] as const;
      const res = await Promise.resolve()
        .then(() => (this.blocking && oneShotBlocking(...args)) || oneShot(...args))
        .catch((e: Error) => {
          throw new DaemonUnreachableError(this.host, e);
        });
      text = res.body.toString('utf8');
      if (res.status >= 400) throw apiError(res.status, text);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A JSON-lines response, message by message; an errorDetail line throws. */
  async *jsonLines<T = ProgressMessage>(o: RequestOptions): AsyncGenerator<T> {
    const res = await this.send(o);
    let buf = '';
    for await (const chunk of res) {
      buf += chunk.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) yield parseLine<T>(line);
      }
    }
    if (buf.trim()) yield parseLine<T>(buf.trim());
  }

  ping(): Promise<IncomingMessage> {
    return this.send({ path: '/_ping' });
  }
  version(): Promise<VersionResponse> {
    return this.json({ path: '/version' });
  }
  info(): Promise<InfoResponse> {
    return this.json({ path: '/info' });
  }
  diskUsage(): Promise<Record<string, unknown>> {
    return this.json({ path: '/system/df' });
  }
  events(o: { since?: string; until?: string; filters?: Filters }): AsyncGenerator<EventMessage> {
    return this.jsonLines<EventMessage>({
      path: '/events',
      query: { since: o.since, until: o.until, filters: o.filters && JSON.stringify(o.filters) },
    });
  }

  listImages(o: { all?: boolean; filters?: Filters; digests?: boolean } = {}): Promise<ImageSummary[]> {
    return this.json({
      path: '/images/json',
      query: { all: o.all, digests: o.digests, filters: o.filters && JSON.stringify(o.filters) },
    });
  }
  inspectImage(name: string): Promise<ImageInspect> {
    return this.json({ path: `/images/${encodeURIComponent(name)}/json` });
  }
  imageHistory(name: string): Promise<HistoryItem[]> {
    return this.json({ path: `/images/${encodeURIComponent(name)}/history` });
  }
  async tagImage(name: string, repo: string, tag?: string): Promise<void> {
    await readAll(
      await this.send({ method: 'POST', path: `/images/${encodeURIComponent(name)}/tag`, query: { repo, tag } }),
    );
  }
  removeImage(name: string, o: { force?: boolean; noPrune?: boolean } = {}): Promise<DeleteItem[]> {
    return this.json({
      method: 'DELETE',
      path: `/images/${encodeURIComponent(name)}`,
      query: { force: o.force, noprune: o.noPrune },
    });
  }
  pruneImages(filters?: Filters): Promise<PruneImagesResponse> {
    return this.json({ method: 'POST', path: '/images/prune', query: { filters: filters && JSON.stringify(filters) } });
  }
  importImage(
    src: Readable,
    o: { repo?: string; tag?: string; message?: string; changes?: string[] },
  ): AsyncGenerator<ProgressMessage> {
    return this.jsonLines({
      method: 'POST',
      path: '/images/create',
      query: { fromSrc: '-', repo: o.repo, tag: o.tag, message: o.message, changes: o.changes },
      stream: src,
    });
  }
  loadImages(src: Readable, quiet = false): AsyncGenerator<ProgressMessage> {
    return this.jsonLines({ method: 'POST', path: '/images/load', query: { quiet }, stream: src });
  }
  async saveImages(names: string[]): Promise<IncomingMessage> {
    return this.send({ path: '/images/get', query: { names } });
  }
}

function apiPath(o: RequestOptions): string {
  return `/v${API_VERSION}${o.path}${queryString(o.query)}`;
}

/** The request's headers, with the JSON body's when it has one. */
function jsonBody(o: RequestOptions): { headers: Record<string, string>; payload?: Buffer } {
  const headers: Record<string, string> = { ...o.headers };
  if (o.body === undefined) return { headers };
  const payload = Buffer.from(JSON.stringify(o.body));
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = String(payload.length);
  return { headers, payload };
}

/** The daemon's error answer: its `message`, else the text, else the status. */
function apiError(status: number, text: string): ApiError {
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {}
  return new ApiError(status, message || `HTTP ${status}`);
}

function parseLine<T>(line: string): T {
  const msg = JSON.parse(line) as T & { errorDetail?: { message: string }; error?: string };
  if (msg.errorDetail || msg.error) throw new ApiError(500, msg.errorDetail?.message ?? msg.error ?? 'error');
  return msg;
}

export async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

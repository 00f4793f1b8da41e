/**
 * HTTP(S) to one registry endpoint, over keep-alive agents with the
 * endpoint's TLS material. An insecure registry is tried over HTTPS (not
 * verified) first and over plain HTTP when that fails, as Docker does; the
 * scheme that answered is kept.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { UnavailableError } from '../lib/errors.ts';
import type { Endpoint, TlsMaterial } from './hosts.ts';

export interface SendOptions {
  headers?: OutgoingHttpHeaders;
  /** A buffer, or a stream sent with chunked encoding (unless Content-Length is set). */
  body?: Buffer | Readable;
  timeoutMs?: number;
}

/** The scheme each insecure registry answered on, shared by every client of this process. */
const schemes = new Map<string, string>();

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
const httpsAgents = new Map<string, HttpsAgent>();

function httpsAgent(tls: TlsMaterial, verify: boolean): HttpsAgent {
  const key = `${verify}|${tls.ca?.map((c) => c.length).join(',')}|${tls.cert?.length ?? 0}`;
  let a = httpsAgents.get(key);
  if (!a) {
    a = new HttpsAgent({
      keepAlive: true,
      maxSockets: 32,
      ca: tls.ca ? [...rootCertificates, ...tls.ca.map((c) => c.toString())] : undefined,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: verify,
    });
    httpsAgents.set(key, a);
  }
  return a;
}

/** One HTTP request to an absolute URL; resolves with the response (any status). */
export function send(
  url: URL,
  method: string,
  o: SendOptions,
  tls: TlsMaterial = {},
  verify = true,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const headers: OutgoingHttpHeaders = { 'User-Agent': 'berth', ...o.headers };
    if (Buffer.isBuffer(o.body)) headers['Content-Length'] = o.body.length;
    const fn = secure ? httpsRequest : httpRequest;
    const req = fn(url, { method, headers, agent: secure ? httpsAgent(tls, verify) : httpAgent }, resolve);
    req.setTimeout(o.timeoutMs ?? 60_000, () => req.destroy(new UnavailableError(`timeout talking to ${url.host}`)));
    req.on('error', reject);
    if (o.body === undefined || Buffer.isBuffer(o.body)) req.end(o.body);
    else {
      o.body.on('error', (e) => req.destroy(e));
      o.body.pipe(req);
    }
  });
}

export class Transport {
  readonly endpoint: Endpoint;
  private base: string;
  private probed = false;

  constructor(ep: Endpoint) {
    this.endpoint = ep;
    this.base = ep.base;
  }

  get baseUrl(): string {
    return this.base;
  }

  url(pathOrUrl: string): URL {
    return new URL(pathOrUrl, `${this.base}/`);
  }

  /** Finds the scheme that answers (insecure registries only); idempotent. */
  async probe(): Promise<void> {
    if (this.probed || !this.endpoint.fallback) {
      this.probed = true;
      return;
    }
    const known = schemes.get(this.endpoint.base);
    if (known) {
      this.base = known;
      this.probed = true;
      return;
    }
    try {
      const res = await send(this.url('/v2/'), 'GET', { timeoutMs: 10_000 }, this.endpoint.tls, false);
      res.resume();
    } catch {
      this.base = this.endpoint.fallback;
    }
    schemes.set(this.endpoint.base, this.base);
    this.probed = true;
  }

  async send(method: string, pathOrUrl: string, o: SendOptions = {}): Promise<IncomingMessage> {
    await this.probe();
    const url = this.url(pathOrUrl);
    const sameHost = url.host === new URL(this.base).host;
    try {
      return await send(url, method, o, sameHost ? this.endpoint.tls : {}, !this.endpoint.insecure || !sameHost);
    } catch (e) {
      throw new UnavailableError(`cannot reach registry ${url.host}: ${(e as Error).message}`, { cause: e });
    }
  }
}

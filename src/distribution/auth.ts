/**
 * Registry authentication: anonymous, basic, and the bearer-token flow
 * (`WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET the realm with
 * the scopes, basic credentials when given → a token reused until it expires).
 */
import type { IncomingMessage } from 'node:http';
import { UnauthorizedError } from '../lib/errors.ts';
import type { TlsMaterial } from './hosts.ts';
import { send } from './transport.ts';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token (docker login with an identity token). */
  identityToken?: string;
  /** A bearer token to send as it is. */
  registryToken?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` headers (one challenge each, as registries send them). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(h);
    if (!m) continue;
    const params: Record<string, string> = {};
    const pr = /([\w-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g;
    for (let p = pr.exec(m[2]); p; p = pr.exec(m[2])) params[p[1].toLowerCase()] = p[2] ?? p[3];
    out.push({ scheme: m[1].toLowerCase(), params });
  }
  return out;
}

interface Token {
  value: string;
  expires: number;
}

/** The Authorization header for one registry, per scope set; learns from 401 challenges. */
export class Authorizer {
  private creds: Credentials;
  private tls: TlsMaterial;
  private basic = false;
  private bearer: Challenge | undefined;
  private tokens = new Map<string, Token>();

  constructor(creds: Credentials = {}, tls: TlsMaterial = {}) {
    this.creds = creds;
    this.tls = tls;
  }

  private basicValue(): string | undefined {
    if (!this.creds.username && !this.creds.password) return undefined;
    return `Basic ${Buffer.from(`${this.creds.username ?? ''}:${this.creds.password ?? ''}`).toString('base64')}`;
  }

  /** The header to send now for these scopes, if any is known. */
  header(scopes: string[]): string | undefined {
    if (this.creds.registryToken) return `Bearer ${this.creds.registryToken}`;
    if (this.basic) return this.basicValue();
    if (this.bearer) {
      const t = this.tokens.get(scopes.join(' '));
      if (t && t.expires > Date.now()) return `Bearer ${t.value}`;
    }
    return undefined;
  }

  /** True when a bearer challenge is known (the next request can get a token first). */
  get knowsBearer(): boolean {
    return this.bearer !== undefined;
  }

  /** Learns from a 401; returns true when a retry may succeed. */
  async challenged(res: IncomingMessage, scopes: string[]): Promise<boolean> {
    const chs = parseChallenges(res.headers['www-authenticate']);
    const bearer = chs.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const had = this.tokens.has(scopes.join(' '));
      this.bearer = bearer;
      if (had && bearer.params.error !== 'invalid_token') {
        this.tokens.delete(scopes.join(' '));
        return false;
      }
      await this.fetchToken(scopes);
      return true;
    }
    if (chs.some((c) => c.scheme === 'basic')) {
      if (this.basic || !this.basicValue()) return false;
      this.basic = true;
      return true;
    }
    return false;
  }

  /** Gets (or reuses) a token for the scopes when the registry wants bearer tokens. */
  async ensure(scopes: string[]): Promise<void> {
    if (!this.bearer || this.header(scopes)) return;
    await this.fetchToken(scopes);
  }

  private async fetchToken(scopes: string[]): Promise<void> {
    const ch = this.bearer as Challenge;
    const realm = ch.params.realm;
    if (!realm) throw new UnauthorizedError('the registry asked for a bearer token but named no realm');
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    let res: IncomingMessage;
    if (this.creds.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.creds.identityToken,
        service: ch.params.service ?? '',
        scope: scopes.join(' '),
        client_id: 'berth',
      });
      res = await send(
        new URL(realm),
        'POST',
        {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(form.toString()),
        },
        this.tls,
      );
    } else {
      const auth = this.basicValue();
      res = await send(url, 'GET', { headers: auth ? { Authorization: auth } : {} }, this.tls);
    }
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    if ((res.statusCode ?? 500) >= 400) {
      throw new UnauthorizedError(
        `the token server ${url.host} refused the credentials (HTTP ${res.statusCode}): ${text.slice(0, 200).trim()}`,
      );
    }
    const body = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const value = body.token ?? body.access_token;
    if (!value) throw new UnauthorizedError(`the token server ${url.host} sent no token`);
    const ttl = Math.max(60, body.expires_in ?? 60) * 1000;
    this.tokens.set(scopes.join(' '), { value, expires: Date.now() + ttl - 10_000 });
  }
}

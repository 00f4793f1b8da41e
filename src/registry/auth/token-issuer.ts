/**
 * The built-in token issuer (GET /auth/token?service=…&scope=…), per Docker's
 * token specification: the caller logs in with Basic auth (or not at all,
 * for anonymous access), asks for scopes, and gets a signed JWT granting the
 * part of each scope that the access rules allow.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errors.ts';
import type { AccessRules } from './access.ts';
import { type Htpasswd, parseBasic } from './htpasswd.ts';
import { type AccessEntry, signToken } from './jwt.ts';

export interface IssuerSettings {
  service: string;
  issuer: string;
  privateKey: KeyObject;
  expiresIn: number;
  htpasswd?: Htpasswd;
  rules: AccessRules;
  realm: string;
}

export interface TokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

/** `repository:a/b:pull,push` → entry; `repository:host:5000/a:pull` keeps the colon in the name. */
export function parseScope(s: string): AccessEntry | undefined {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: s.slice(0, first),
    name: s.slice(first + 1, last),
    actions: s
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

export async function issueToken(
  req: IncomingMessage,
  query: URLSearchParams,
  s: IssuerSettings,
): Promise<TokenResponse> {
  const service = query.get('service');
  if (service !== null && service !== s.service) {
    throw new RegistryError('DENIED', 400, `unknown service "${service}"`);
  }
  const creds = parseBasic(req.headers.authorization);
  let user: string | undefined;
  if (creds) {
    if (!s.htpasswd || !(await s.htpasswd.verify(creds.user, creds.password))) {
      throw new RegistryError('UNAUTHORIZED', 401, 'invalid username or password').withHeaders({
        'WWW-Authenticate': `Basic realm="${s.realm}", charset="UTF-8"`,
      });
    }
    user = creds.user;
  }
  const access: AccessEntry[] = [];
  for (const raw of query.getAll('scope').flatMap((x) => x.split(' '))) {
    const sc = parseScope(raw);
    if (!sc) continue;
    let actions: string[] = [];
    if (sc.type === 'repository') actions = sc.actions.filter((a) => s.rules.allows(user, sc.name, a));
    else if (sc.type === 'registry' && sc.name === 'catalog' && s.rules.allowsCatalog(user)) actions = ['*'];
    if (actions.length > 0) access.push({ type: sc.type, name: sc.name, actions });
  }
  const now = Math.floor(Date.now() / 1000);
  const token = signToken(s.privateKey, {
    iss: s.issuer,
    sub: user ?? '',
    aud: s.service,
    iat: now,
    nbf: now - 1,
    exp: now + s.expiresIn,
    access,
  });
  return { token, access_token: token, expires_in: s.expiresIn, issued_at: new Date(now * 1000).toISOString() };
}

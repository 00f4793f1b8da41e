/**
 * Decides, per request, who the caller is and whether the route's scope is
 * granted. Three modes: none (everyone may do everything), basic (htpasswd
 * users, per-repository rules) and token (Docker's bearer token flow; the
 * built-in issuer at /auth/token hands the tokens out).
 */

import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errors.ts';
import type { AccessRules } from './access.ts';
import { type Htpasswd, parseBasic } from './htpasswd.ts';
import { type Claims, verifyToken } from './jwt.ts';

export interface Scope {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export function scopeString(s: Scope): string {
  return `${s.type}:${s.name}:${s.actions.join(',')}`;
}

export interface TokenSettings {
  realm?: string;
  service: string;
  issuer: string;
  publicKey: KeyObject;
}

export interface Caller {
  user?: string;
  /** Whether the caller may do `action` on repository `name`. */
  can(name: string, action: string): boolean;
}

export interface AuthSetup {
  realm: string;
  htpasswd?: Htpasswd;
  rules: AccessRules;
  token?: TokenSettings;
}

const EVERYONE: Caller = { can: () => true };

export class Authenticator {
  private readonly s: AuthSetup | undefined;
  constructor(setup: AuthSetup | undefined) {
    this.s = setup;
  }

  get enabled(): boolean {
    return this.s !== undefined;
  }

  /** The caller, once authorised for `scope` (none: any valid login). Throws 401/403 RegistryErrors. */
  async authorize(req: IncomingMessage, scope: Scope | undefined): Promise<Caller> {
    const s = this.s;
    if (!s) return EVERYONE;
    if (s.token) return this.bearer(req, s.token, scope);
    return this.basic(req, s, scope);
  }

  private async basic(req: IncomingMessage, s: AuthSetup, scope: Scope | undefined): Promise<Caller> {
    const creds = parseBasic(req.headers.authorization);
    const challenge = { 'WWW-Authenticate': `Basic realm="${s.realm}", charset="UTF-8"` };
    let user: string | undefined;
    if (creds) {
      if (!s.htpasswd || !(await s.htpasswd.verify(creds.user, creds.password))) {
        throw new RegistryError('UNAUTHORIZED', 401, 'invalid username or password').withHeaders(challenge);
      }
      user = creds.user;
    }
    const caller: Caller = { user, can: (name, action) => s.rules.allows(user, name, action) };
    if (!permitted(s, caller, scope)) {
      if (user === undefined) throw new RegistryError('UNAUTHORIZED', 401).withHeaders(challenge);
      throw new RegistryError('DENIED', 403, undefined, scope ? { scope: scopeString(scope) } : undefined);
    }
    return caller;
  }

  private async bearer(req: IncomingMessage, t: TokenSettings, scope: Scope | undefined): Promise<Caller> {
    const h = req.headers.authorization;
    const realm =
      t.realm ??
      `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host}/auth/token`;
    const challenge = (error?: string) => ({
      'WWW-Authenticate': `Bearer realm="${realm}",service="${t.service}"${scope ? `,scope="${scopeString(scope)}"` : ''}${
        error ? `,error="${error}"` : ''
      }`,
    });
    let claims: Claims | undefined;
    if (h && /^bearer /i.test(h))
      claims = verifyToken(h.slice(7).trim(), t.publicKey, { issuer: t.issuer, audience: t.service });
    if (!claims) {
      throw new RegistryError('UNAUTHORIZED', 401, h ? 'invalid or expired token' : undefined).withHeaders(
        challenge(h ? 'invalid_token' : undefined),
      );
    }
    const grants = claims.access;
    const caller: Caller = {
      user: claims.sub || undefined,
      can: (name, action) =>
        grants.some((g) => g.type === 'repository' && g.name === name && g.actions.includes(action)),
    };
    const ok =
      !scope ||
      scope.actions.every((a) =>
        grants.some(
          (g) => g.type === scope.type && g.name === scope.name && (g.actions.includes(a) || g.actions.includes('*')),
        ),
      );
    if (!ok) {
      throw new RegistryError('UNAUTHORIZED', 401, 'insufficient scope', { scope: scopeString(scope!) }).withHeaders(
        challenge('insufficient_scope'),
      );
    }
    return caller;
  }
}

function permitted(s: AuthSetup, caller: Caller, scope: Scope | undefined): boolean {
  if (!scope) return caller.user !== undefined || s.rules.allows(undefined, '', 'pull');
  if (scope.type === 'registry') return s.rules.allowsCatalog(caller.user);
  return scope.actions.every((a) => caller.can(scope.name, a));
}

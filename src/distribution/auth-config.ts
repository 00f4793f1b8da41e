/**
 * The `X-Registry-Auth` header of pull and push: base64url (or plain
 * base64) JSON `{username, password, serveraddress, identitytoken,
 * registrytoken}`, and the body of `POST /auth`.
 */
import { InvalidArgumentError } from '../lib/errors.ts';
import type { Credentials } from './auth.ts';

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export function decodeAuthHeader(value: string | string[] | undefined): AuthConfig | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  let text: string;
  try {
    text = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const j = JSON.parse(text) as Record<string, unknown>;
    const out: AuthConfig = {};
    for (const [k, x] of Object.entries(j))
      if (typeof x === 'string') (out as Record<string, string>)[k.toLowerCase()] = x;
    return out;
  } catch {
    throw new InvalidArgumentError('invalid X-Registry-Auth header: not base64url-encoded JSON');
  }
}

export function credentialsOf(a: AuthConfig | undefined): Credentials {
  if (!a) return {};
  let { username, password } = a;
  if (!username && a.auth) {
    const plain = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    username = plain.slice(0, i);
    password = plain.slice(i + 1);
  }
  return {
    username: username || undefined,
    password: password || undefined,
    identityToken: a.identitytoken || undefined,
    registryToken: a.registrytoken || undefined,
  };
}

/** The registry domain of a login's `serveraddress` (`https://index.docker.io/v1/` → docker.io). */
export function loginDomain(serveraddress: string | undefined): string {
  const s = (serveraddress ?? '').trim();
  if (!s || /^(https?:\/\/)?(index\.)?docker\.io(\/|$)/.test(s) || /registry-1\.docker\.io/.test(s)) return 'docker.io';
  const u = s.includes('://') ? new URL(s).host : s.split('/')[0];
  return u;
}

/**
 * Bearer tokens as Docker's token specification describes them: a JWT
 * (ES256 for an EC P-256 key, RS256 for an RSA key) whose `access` claim
 * lists what the bearer may do: [{type, name, actions}].
 */
import { createHash, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface Claims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: AccessEntry[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'ec') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error(`token key must be EC P-256 or RSA, not ${key.asymmetricKeyType}`);
}

/** A key id: 32 hex characters of the SHA-256 of the public key (DER). */
export function keyId(pub: KeyObject): string {
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 32);
}

export function signToken(privateKey: KeyObject, claims: Omit<Claims, 'jti'>): string {
  const alg = algorithmOf(privateKey);
  const header = { typ: 'JWT', alg, kid: keyId(createPublicKey(privateKey)) };
  const body = { ...claims, jti: randomBytes(16).toString('hex') };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(sig)}`;
}

/** Verifies signature, algorithm, audience, issuer and time; undefined when the token is not good. */
export function verifyToken(
  token: string,
  publicKey: KeyObject,
  expect: { issuer: string; audience: string },
  now = Math.floor(Date.now() / 1000),
): Claims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== algorithmOf(publicKey)) return undefined;
    const ok = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2], 'base64url'),
    );
    if (!ok) return undefined;
    const c = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Claims;
    if (c.iss !== expect.issuer || c.aud !== expect.audience) return undefined;
    if (typeof c.exp !== 'number' || c.exp < now - 30) return undefined;
    if (typeof c.nbf === 'number' && c.nbf > now + 30) return undefined;
    if (!Array.isArray(c.access)) c.access = [];
    return c;
  } catch {
    return undefined;
  }
}

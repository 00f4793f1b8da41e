/**
 * An htpasswd file of bcrypt entries (`user:$2y$…`, as `htpasswd -B` writes).
 * bcryptjs is loaded on the first login. Verified passwords are remembered (as a salted hash, in memory) so that a
 * busy client does not pay bcrypt's cost on every request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class Htpasswd {
  private readonly users = new Map<string, string>();
  private readonly verified = new Set<string>();
  private readonly salt = randomBytes(16);

  constructor(text: string) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const hash = line.slice(i + 1);
      if (/^\$2[aby]\$/.test(hash)) this.users.set(line.slice(0, i), hash);
    }
  }

  static load(path: string): Htpasswd {
    return new Htpasswd(readFileSync(path, 'utf8'));
  }

  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.users.get(user);
    if (!hash) return false;
    const key = createHash('sha256').update(this.salt).update(`${user}\0${password}\0${hash}`).digest('hex');
    if (this.verified.has(key)) return true;
    const { default: bcrypt } = await import('bcryptjs');
    const ok = await bcrypt.compare(password, hash);
    if (ok) {
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.add(key);
    }
    return ok;
  }
}

/** Decodes `Authorization: Basic …`; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

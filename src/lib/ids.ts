/** Random identifiers in Docker's shape: 64 lowercase hex characters. */
import { randomBytes } from 'node:crypto';

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

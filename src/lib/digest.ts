/**
 * Content digests (`algorithm:hex`), as the OCI image spec defines them.
 * sha256 and sha512 are supported.
 */
import { createHash, type Hash } from 'node:crypto';
import { InvalidArgumentError } from './errors.ts';

export type Digest = `${'sha256' | 'sha512'}:${string}`;
export type Algorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<Algorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;

export function isDigest(s: string): s is Digest {
  const m = DIGEST_RE.exec(s);
  return m !== null && m[2].length === HEX_LENGTH[m[1] as Algorithm];
}

/** Parses and validates a digest string; throws InvalidArgument otherwise. */
export function parseDigest(s: string): { algorithm: Algorithm; hex: string; digest: Digest } {
  const m = DIGEST_RE.exec(s);
  if (!m || m[2].length !== HEX_LENGTH[m[1] as Algorithm]) {
    throw new InvalidArgumentError(`invalid digest "${s}": expected sha256:<64 hex> or sha512:<128 hex>`);
  }
  return { algorithm: m[1] as Algorithm, hex: m[2], digest: s as Digest };
}

export function digestOf(data: string | Uint8Array, algorithm: Algorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}` as Digest;
}

/** The hex part of a digest (what Docker shows as an ID without prefix). */
export function digestHex(d: string): string {
  const i = d.indexOf(':');
  return i < 0 ? d : d.slice(i + 1);
}

/** An incremental digester that also counts bytes. */
export class Digester {
  readonly algorithm: Algorithm;
  private hash: Hash;
  size = 0;
  constructor(algorithm: Algorithm = 'sha256') {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}` as Digest;
  }
}

/** OCI chain ID of a list of layer diff IDs. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    out.push(out.length === 0 ? d : digestOf(`${out[out.length - 1]} ${d}`));
  }
  return out;
}

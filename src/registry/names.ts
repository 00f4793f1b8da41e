/** Repository names, tags and manifest references as the distribution spec defines them. */
import { type Digest, isDigest } from '../lib/digest.ts';
import { RegistryError } from './errors.ts';

const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST_SHAPE_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isValidName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

export function checkName(name: string): string {
  if (!isValidName(name)) throw new RegistryError('NAME_INVALID', 400, `invalid repository name "${name}"`, { name });
  return name;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** A digest from the wire; a malformed or unsupported one is DIGEST_INVALID. */
export function checkDigest(s: string): Digest {
  if (!isDigest(s)) {
    const why = DIGEST_SHAPE_RE.test(s) ? 'unsupported digest algorithm or length' : 'invalid digest';
    throw new RegistryError('DIGEST_INVALID', 400, `${why}: "${s}"`, { digest: s });
  }
  return s;
}

export type ManifestRef = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

export function parseManifestRef(ref: string): ManifestRef {
  if (ref.includes(':')) return { kind: 'digest', digest: checkDigest(ref) };
  if (!isValidTag(ref)) throw new RegistryError('MANIFEST_INVALID', 400, `invalid tag "${ref}"`, { tag: ref });
  return { kind: 'tag', tag: ref };
}

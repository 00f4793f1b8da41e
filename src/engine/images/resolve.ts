/**
 * Finding an image from what a user typed: a name[:tag], name@digest, a full
 * or short image ID (with or without `sha256:`), as Docker resolves them.
 */
import { InvalidArgumentError, isBerthError, NotFoundError } from '../../lib/errors.ts';
import { parseReferenceWithDefaultTag, type Reference, referenceString, repositoryName } from '../../oci/reference.ts';
import type { ImageRecord, ImageRecords } from './records.ts';

const ID_RE = /^(?:sha256:)?([0-9a-f]{1,64})$/;

export function noSuchImage(ref: string): NotFoundError {
  return new NotFoundError(`No such image: ${ref}`);
}

/** The canonical tag key of a reference (`docker.io/library/busybox:latest`). */
export function tagKey(r: Reference): string {
  return `${repositoryName(r)}:${r.tag}`;
}

export function resolveImage(records: ImageRecords, ref: string): ImageRecord {
  const found = tryResolveImage(records, ref);
  if (!found) throw noSuchImage(ref);
  return found;
}

export function tryResolveImage(records: ImageRecords, ref: string): ImageRecord | undefined {
  const idm = ID_RE.exec(ref);
  if (idm && (ref.startsWith('sha256:') || idm[1].length === 64)) {
    return byIdPrefix(records, idm[1], ref);
  }
  let parsed: Reference | undefined;
  try {
    parsed = parseReferenceWithDefaultTag(ref);
  } catch (e) {
    if (!idm) throw e;
  }
  if (parsed) {
    const id = parsed.digest
      ? records.digestTarget(repositoryName(parsed), parsed.digest)
      : records.tagTarget(tagKey(parsed));
    if (id) return records.get(id);
    if (parsed.digest && parsed.tag === undefined) {
      // name@digest where the digest is the image ID itself
      const rec = records.get(parsed.digest);
      if (rec) return rec;
    }
  }
  if (idm && idm[1].length >= 4) return byIdPrefix(records, idm[1], ref);
  return undefined;
}

function byIdPrefix(records: ImageRecords, hex: string, ref: string): ImageRecord | undefined {
  const matches = records.byPrefix(hex);
  if (matches.length > 1) throw new InvalidArgumentError(`image ID prefix ${ref} is ambiguous: give more characters`);
  return matches[0];
}

/** Parses a reference for tagging: must have no digest. */
export function parseTagTarget(repo: string, tag?: string): Reference {
  const text = tag ? `${repo}:${tag}` : repo;
  try {
    const r = parseReferenceWithDefaultTag(text);
    if (r.digest) throw new InvalidArgumentError(`refusing to create a tag with a digest reference: ${text}`);
    return r;
  } catch (e) {
    if (isBerthError(e)) throw e;
    throw new InvalidArgumentError(`invalid reference format: ${text}`);
  }
}

export { referenceString };

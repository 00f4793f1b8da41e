/**
 * Image references in every form Docker accepts: `name`, `name:tag`,
 * `name@sha256:…`, `host:port/ns/name:tag`. Normalised like Docker:
 * no domain means `docker.io`, and a single-component Docker Hub name
 * lives under `library/`. `familiar()` gives back the short form.
 */
import { type Digest, isDigest } from '../lib/digest.ts';
import { InvalidArgumentError } from '../lib/errors.ts';

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DOMAIN = 'index.docker.io';
export const DEFAULT_TAG = 'latest';

export interface Reference {
  /** Registry host, with port when given: `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path within the registry: `library/busybox`. */
  path: string;
  tag?: string;
  digest?: Digest;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN =
  /^(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/** Parses and normalises a reference. Throws InvalidArgument with Docker's wording. */
export function parseReference(input: string): Reference {
  const s = input.trim();
  if (s === '') throw new InvalidArgumentError('invalid reference format: empty');
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidArgumentError(`invalid reference format: bad digest in "${input}"`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidArgumentError(`invalid reference format: bad tag "${tag}" in "${input}"`);
  }
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  if (parts.length > 1 && looksLikeDomain(parts[0])) {
    domain = parts.shift() as string;
    if (!DOMAIN.test(domain)) throw new InvalidArgumentError(`invalid reference format: bad registry host "${domain}"`);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      const upper = p !== p.toLowerCase();
      throw new InvalidArgumentError(
        upper
          ? `invalid reference format: repository name (${rest}) must be lowercase`
          : `invalid reference format: "${input}"`,
      );
    }
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path.length + domain.length + 1 > 255)
    throw new InvalidArgumentError('invalid reference format: repository name too long');
  return { domain, path, tag, digest };
}

/** Like parseReference, but with `latest` as the tag when neither tag nor digest is given. */
export function parseReferenceWithDefaultTag(input: string): Reference {
  const r = parseReference(input);
  if (!r.tag && !r.digest) r.tag = DEFAULT_TAG;
  return r;
}

/** `docker.io/library/busybox` — the full repository name. */
export function repositoryName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** The short form Docker shows: `busybox`, `me/app`, `127.0.0.1:5000/app`. */
export function familiarRepository(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return `${r.domain}/${r.path}`;
  return r.path.startsWith('library/') && r.path.split('/').length === 2 ? r.path.slice('library/'.length) : r.path;
}

export function familiarString(r: Reference): string {
  let s = familiarRepository(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

/** Canonical full string: `docker.io/library/busybox:latest`. */
export function referenceString(r: Reference): string {
  let s = repositoryName(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

/**
 * The registry's storage layout: every key the registry reads or writes
 * (version 1). Blobs live once, by digest; repositories hold small "link"
 * objects that say what belongs to them.
 *
 *   blobs/<alg>/<hex[0:2]>/<hex>/data                                  blob bytes (layers, configs, manifests)
 *   repositories/<name>/_layers/<alg>/<hex>/link                       blob linked into the repo (content: digest)
 *   repositories/<name>/_manifests/revisions/<alg>/<hex>/link          manifest in the repo (content: media type)
 *   repositories/<name>/_manifests/tags/<tag>/current/link             tag (content: manifest digest)
 *   repositories/<name>/_referrers/<alg>/<subject-hex>/<alg>-<hex>/link   referrer (content: descriptor JSON)
 *   repositories/<name>/_uploads/<uuid>/startedat                      upload session (content: ISO time)
 *   repositories/<name>/_uploads/<uuid>/data                           upload bytes so far
 *
 * <name> is a repository name (lowercase components joined by "/"), which can
 * never start a component with "_", so names and the "_x" folders never clash.
 */
import type { Digest } from '../lib/digest.ts';

function split(d: Digest): [string, string] {
  const i = d.indexOf(':');
  return [d.slice(0, i), d.slice(i + 1)];
}

export const BLOBS = 'blobs';
export const REPOS = 'repositories';

export function blobDataKey(d: Digest): string {
  const [alg, hex] = split(d);
  return `${BLOBS}/${alg}/${hex.slice(0, 2)}/${hex}/data`;
}

export function repoKey(name: string): string {
  return `${REPOS}/${name}`;
}

export function layerLinkKey(name: string, d: Digest): string {
  const [alg, hex] = split(d);
  return `${REPOS}/${name}/_layers/${alg}/${hex}/link`;
}

export function revisionsKey(name: string): string {
  return `${REPOS}/${name}/_manifests/revisions`;
}

export function revisionLinkKey(name: string, d: Digest): string {
  const [alg, hex] = split(d);
  return `${REPOS}/${name}/_manifests/revisions/${alg}/${hex}/link`;
}

export function tagsKey(name: string): string {
  return `${REPOS}/${name}/_manifests/tags`;
}

export function tagLinkKey(name: string, tag: string): string {
  return `${REPOS}/${name}/_manifests/tags/${tag}/current/link`;
}

export function referrersKey(name: string, subject: Digest): string {
  const [alg, hex] = split(subject);
  return `${REPOS}/${name}/_referrers/${alg}/${hex}`;
}

export function referrerLinkKey(name: string, subject: Digest, d: Digest): string {
  const [alg, hex] = split(d);
  return `${referrersKey(name, subject)}/${alg}-${hex}/link`;
}

export function uploadsKey(name: string): string {
  return `${REPOS}/${name}/_uploads`;
}

export function uploadKey(name: string, uuid: string): string {
  return `${REPOS}/${name}/_uploads/${uuid}`;
}

/** `sha256-<hex>` → `sha256:<hex>` (names of referrer entries). */
export function digestFromEntry(entry: string): Digest {
  const i = entry.indexOf('-');
  return `${entry.slice(0, i)}:${entry.slice(i + 1)}` as Digest;
}

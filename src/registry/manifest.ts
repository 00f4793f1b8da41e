/**
 * Manifest bodies as the registry sees them: which media type, which blobs
 * and manifests they name, their subject, and the descriptor the referrers
 * API lists for them. Docker schema 2 and OCI types; schema 1 is refused.
 */
import { type Digest, isDigest } from '../lib/digest.ts';
import type { Descriptor } from '../oci/image.ts';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../oci/media-types.ts';
import { manifestInvalid } from './errors.ts';

export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

export interface ParsedManifest {
  mediaType: string;
  /** Blobs an image manifest names (config and layers). */
  blobs: Descriptor[];
  /** Manifests an index names. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  configMediaType?: string;
  annotations?: Record<string, string>;
}

function checkDescriptor(v: unknown, where: string): Descriptor {
  const d = v as Descriptor;
  if (!d || typeof d !== 'object' || typeof d.mediaType !== 'string' || typeof d.size !== 'number') {
    throw manifestInvalid(`${where}: invalid descriptor`);
  }
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw manifestInvalid(`${where}: invalid digest`);
  if (!Number.isSafeInteger(d.size) || d.size < 0) throw manifestInvalid(`${where}: invalid size`);
  return d;
}

/** Strips parameters: `application/json; charset=utf-8` → `application/json`. */
export function bareMediaType(ct: string | undefined): string | undefined {
  const t = ct?.split(';')[0].trim();
  return t ? t : undefined;
}

export function parseManifest(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw manifestInvalid('manifest is not valid JSON');
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw manifestInvalid('manifest is not a JSON object');
  const ct = bareMediaType(contentType);
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  if (declared && ct && ct !== declared) {
    throw manifestInvalid(`Content-Type "${ct}" does not match the manifest's mediaType "${declared}"`);
  }
  if (m.schemaVersion !== 2) throw manifestInvalid('only schemaVersion 2 manifests are supported');
  let mediaType = declared ?? ct;
  if (!mediaType || (!isIndexMediaType(mediaType) && !isManifestMediaType(mediaType))) {
    if (declared) throw manifestInvalid(`unsupported manifest media type "${declared}"`);
    mediaType = Array.isArray(m.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  }
  const out: ParsedManifest = { mediaType, blobs: [], manifests: [] };
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(m.manifests)) throw manifestInvalid('index has no "manifests" list');
    out.manifests = m.manifests.map((d, i) => checkDescriptor(d, `manifests[${i}]`));
  } else {
    const config = checkDescriptor(m.config, 'config');
    if (!Array.isArray(m.layers)) throw manifestInvalid('manifest has no "layers" list');
    out.blobs = [config, ...m.layers.map((d, i) => checkDescriptor(d, `layers[${i}]`))];
    out.configMediaType = config.mediaType;
  }
  if (m.subject !== undefined) out.subject = checkDescriptor(m.subject, 'subject');
  if (m.artifactType !== undefined) {
    if (typeof m.artifactType !== 'string') throw manifestInvalid('artifactType must be a string');
    out.artifactType = m.artifactType;
  }
  if (m.annotations && typeof m.annotations === 'object') out.annotations = m.annotations as Record<string, string>;
  return out;
}

/** The descriptor the referrers API lists for a manifest. */
export function referrerDescriptor(p: ParsedManifest, digest: Digest, size: number): Descriptor {
  const d: Descriptor = { mediaType: p.mediaType, digest, size };
  const artifactType = p.artifactType || (isIndexMediaType(p.mediaType) ? undefined : p.configMediaType);
  if (artifactType) d.artifactType = artifactType;
  if (p.annotations) d.annotations = p.annotations;
  return d;
}

/** Every digest a stored manifest keeps alive (for GC); lenient with odd content. */
export function referencedDigests(body: Uint8Array): Digest[] {
  try {
    const m = JSON.parse(Buffer.from(body).toString('utf8'));
    const list: unknown[] = [
      m.config,
      ...(Array.isArray(m.layers) ? m.layers : []),
      ...(Array.isArray(m.manifests) ? m.manifests : []),
    ];
    return list
      .map((d) => (d && typeof d === 'object' ? (d as { digest?: unknown }).digest : undefined))
      .filter((d): d is Digest => typeof d === 'string' && isDigest(d));
  } catch {
    return [];
  }
}

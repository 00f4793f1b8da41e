/**
 * A build state: the image a step starts from or ends with. Every step's
 * result is stored as a config blob and a manifest blob (not as an image
 * record: intermediate states stay out of `docker images`); the state's ID
 * is its config digest, as an image's would be.
 */

import type { LayerInput } from '../../engine/images/image-service.ts';
import type { ImageRecord } from '../../engine/images/records.ts';
import { chainIds, type Digest } from '../../lib/digest.ts';
import type { Descriptor, ImageConfig, Manifest } from '../../oci/image.ts';
import { MediaType } from '../../oci/media-types.ts';
import type { ContentStore } from '../../store/types.ts';

export interface BuildState {
  /** Config digest (the would-be image ID). */
  id: Digest;
  manifest: Descriptor;
  config: ImageConfig;
  layers: LayerInput[];
}

/** Top chain ID of a state's layers (its snapshot key), undefined for no layers. */
export function topOf(layers: readonly { diffId: Digest }[]): string | undefined {
  if (layers.length === 0) return undefined;
  const c = chainIds(layers.map((l) => l.diffId));
  return c[c.length - 1];
}

/** Stores config and manifest blobs; returns the state. */
export async function storeState(
  content: ContentStore,
  config: ImageConfig | Buffer,
  layers: LayerInput[],
): Promise<BuildState> {
  const bytes = Buffer.isBuffer(config) ? config : Buffer.from(JSON.stringify(config));
  const cfg = await content.writeBytes(bytes);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: cfg.digest, size: cfg.size },
    layers: layers.map((l) => l.descriptor),
  };
  const mb = await content.writeBytes(Buffer.from(JSON.stringify(manifest)));
  return {
    id: cfg.digest,
    manifest: { mediaType: MediaType.OciManifest, digest: mb.digest, size: mb.size },
    config: JSON.parse(bytes.toString('utf8')) as ImageConfig,
    layers,
  };
}

/** Loads a state from its manifest digest (a cache entry). Undefined when a blob is gone. */
export async function loadState(content: ContentStore, manifestDigest: Digest): Promise<BuildState | undefined> {
  try {
    const mbytes = await content.readBytes(manifestDigest);
    const m = JSON.parse(mbytes.toString('utf8')) as Manifest;
    const config = JSON.parse((await content.readBytes(m.config.digest)).toString('utf8')) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    for (const l of m.layers) if (!(await content.has(l.digest))) return undefined;
    return {
      id: m.config.digest,
      manifest: { mediaType: MediaType.OciManifest, digest: manifestDigest, size: mbytes.length },
      config,
      layers: m.layers.map((d, i) => ({ descriptor: d, diffId: diffIds[i], uncompressedSize: d.size })),
    };
  } catch {
    return undefined;
  }
}

/** A state from an image record (a base image). */
export async function stateOfImage(content: ContentStore, rec: ImageRecord): Promise<BuildState> {
  const s = await loadState(content, rec.manifest.digest);
  if (!s) throw new Error(`image ${rec.id} is missing blobs`);
  return s;
}

/** A pseudo image record for a state, so the engine's Unpacker can unpack it. */
export function recordOf(s: BuildState): ImageRecord {
  return { id: s.id, manifest: s.manifest, addedAt: Date.now(), size: 0 };
}

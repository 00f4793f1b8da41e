/**
 * From a reference to the one image manifest to pull: follows an index to
 * the platform's manifest, refuses schema 1, and reads the config blob.
 */
import { type Digest, digestOf } from '../lib/digest.ts';
import { InvalidArgumentError } from '../lib/errors.ts';
import type { Descriptor, Index, Manifest, Platform } from '../oci/image.ts';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../oci/media-types.ts';
import { chooseManifest } from './platform.ts';
import { type FetchedManifest, type RegistryClient, readAllBody } from './registry-client.ts';

export interface ResolvedImage {
  /** What the reference points at (index or manifest): its digest is the repo digest. */
  top: FetchedManifest;
  /** The image manifest chosen. */
  manifest: FetchedManifest;
  parsed: Manifest;
  descriptor: Descriptor;
  config: Buffer;
}

function refuseSchema1(m: FetchedManifest): void {
  if (m.mediaType === MediaType.DockerSchema1Manifest || m.mediaType === MediaType.DockerSchema1SignedManifest) {
    throw new InvalidArgumentError(
      'Docker Image manifest version 2, schema 1 is not supported by Berth (nor by Docker since 28): push the image again with a current client',
    );
  }
}

export async function resolveImage(
  client: RegistryClient,
  repo: string,
  ref: string,
  platform?: Platform,
): Promise<ResolvedImage> {
  const top = await client.getManifest(repo, ref);
  refuseSchema1(top);
  let m = top;
  for (let depth = 0; isIndexMediaType(m.mediaType); depth++) {
    if (depth > 2) throw new InvalidArgumentError('manifest lists nested too deep');
    const chosen = chooseManifest(JSON.parse(m.bytes.toString()) as Index, platform);
    m = await client.getManifest(repo, chosen.digest);
    refuseSchema1(m);
  }
  if (!isManifestMediaType(m.mediaType)) throw new InvalidArgumentError(`unsupported manifest type ${m.mediaType}`);
  const parsed = JSON.parse(m.bytes.toString()) as Manifest;
  if (!parsed.config?.digest || !Array.isArray(parsed.layers))
    throw new InvalidArgumentError(`manifest ${m.digest} has no config or layers`);
  const config = await fetchSmallBlob(client, repo, parsed.config.digest, parsed.config.size);
  return {
    top,
    manifest: m,
    parsed,
    descriptor: { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length },
    config,
  };
}

/** A config-sized blob into memory, digest checked. */
export async function fetchSmallBlob(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  size: number,
): Promise<Buffer> {
  const { body } = await client.blob(repo, digest);
  const bytes = await readAllBody(body, Math.max(size, 1) + 1024 * 1024);
  const got = digestOf(bytes, digest.startsWith('sha512:') ? 'sha512' : 'sha256');
  if (got !== digest) throw new InvalidArgumentError(`config blob digest mismatch: expected ${digest}, got ${got}`);
  return bytes;
}

/** Platforms: parsing `os/arch[/variant]` and choosing a manifest from an index. */
import { InvalidArgumentError, NotFoundError } from '../lib/errors.ts';
import { type Descriptor, hostPlatform, type Index, type Platform } from '../oci/image.ts';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.ts';

export function parsePlatform(text: string | null | undefined): Platform | undefined {
  if (!text) return undefined;
  const parts = text.toLowerCase().split('/');
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === ''))
    throw new InvalidArgumentError(`invalid platform "${text}": use os/arch[/variant]`);
  if (parts.length === 1) return { os: hostPlatform().os, architecture: normaliseArch(parts[0]).arch };
  const { arch, variant } = normaliseArch(parts[1], parts[2]);
  return { os: parts[0], architecture: arch, ...(variant ? { variant } : {}) };
}

function normaliseArch(arch: string, variant?: string): { arch: string; variant?: string } {
  if (arch === 'x86_64' || arch === 'x86-64') return { arch: 'amd64', variant };
  if (arch === 'aarch64') return { arch: 'arm64', variant: variant ?? undefined };
  if (arch === 'armhf') return { arch: 'arm', variant: 'v7' };
  return { arch, variant };
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function matches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && want.variant !== have.variant) {
    return false;
  }
  return true;
}

/** The manifest of `index` for `want` (default: this host); attestation manifests are skipped. */
export function chooseManifest(index: Index, want: Platform = hostPlatform()): Descriptor {
  const candidates = index.manifests.filter(
    (d) =>
      (isManifestMediaType(d.mediaType) || isIndexMediaType(d.mediaType)) &&
      d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
  );
  const exact = candidates.find(
    (d) => matches(want, d.platform) && (want.variant ?? '') === (d.platform?.variant ?? ''),
  );
  const found = exact ?? candidates.find((d) => matches(want, d.platform));
  if (!found) {
    const have = candidates.map((d) => (d.platform ? platformString(d.platform) : 'unknown')).join(', ');
    throw new NotFoundError(
      `no matching manifest for ${platformString(want)} in the manifest list entries (available: ${have || 'none'})`,
    );
  }
  return found;
}

/**
 * The variables of a stage while it builds: its ARGs (with `--build-arg`
 * values and the predefined platform args) and its ENV (from the image
 * config). ENV wins over an ARG of the same name, as in Docker.
 */
import type { ImageRunConfig } from '../../oci/image.ts';
import { hostPlatform } from '../../oci/image.ts';
import type { Lookup } from '../dockerfile/expand.ts';

/** TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* twins. */
export function platformArgs(target?: string): Record<string, string> {
  const h = hostPlatform();
  const build = `${h.os}/${h.architecture}${h.variant ? `/${h.variant}` : ''}`;
  const t = target || build;
  const [os, arch, variant = ''] = t.split('/');
  const [bos, barch, bvariant = ''] = build.split('/');
  return {
    TARGETPLATFORM: t,
    TARGETOS: os,
    TARGETARCH: arch,
    TARGETVARIANT: variant,
    BUILDPLATFORM: build,
    BUILDOS: bos,
    BUILDARCH: barch,
    BUILDVARIANT: bvariant,
  };
}

/** The PATH a build step gets when its image sets none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function envMap(cfg: ImageRunConfig | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of cfg?.Env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

export function scopeLookup(cfg: ImageRunConfig | undefined, args: Map<string, string>): Lookup {
  const env = envMap(cfg);
  return (n) => env.get(n) ?? args.get(n);
}

/** ARG values a RUN sees as environment (not overriding ENV), sorted for the cache key. */
export function argEnv(cfg: ImageRunConfig | undefined, args: Map<string, string>): string[] {
  const env = envMap(cfg);
  return [...args.entries()]
    .filter(([k]) => !env.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
}

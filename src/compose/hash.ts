/**
 * The config hash of a service (label `com.docker.compose.config-hash`):
 * sha256 of its canonical configuration as stable JSON, leaving out what
 * does not change a container (scale, replicas, profiles, depends_on,
 * build), plus the ID of the image it runs, so that a rebuilt or newly
 * pulled image also recreates the container.
 */
import { createHash } from 'node:crypto';
import type { ServiceConfig } from './types.ts';

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function serviceHash(s: ServiceConfig, imageId = ''): string {
  const { scale: _s, profiles: _p, depends_on: _d, build: _b, ...rest } = s;
  const deploy = rest.deploy ? { ...rest.deploy, replicas: undefined } : undefined;
  return createHash('sha256')
    .update(stableJson({ ...rest, deploy, imageId }))
    .digest('hex');
}

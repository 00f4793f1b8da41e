/**
 * Log rotation by size (`--log-opt max-size=10m --log-opt max-file=3`): a
 * light check every second per running container; conmon reopens its log
 * after a rename (src/runtime/logs.ts maybeRotate).
 */
import { InvalidArgumentError } from '../../lib/errors.ts';
import { maybeRotate } from '../../runtime/logs.ts';
import type { HostConfig } from '../../wire/containers.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, m: 1e6, g: 1e9, kb: 1e3, mb: 1e6, gb: 1e9 };

export interface RotationPolicy {
  maxSize: number;
  maxFiles: number;
}

export function rotationPolicy(hc: HostConfig): RotationPolicy | undefined {
  const cfg = hc.LogConfig?.Config ?? {};
  const size = cfg['max-size'];
  if (!size || size === '-1') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(size.trim());
  if (!m) throw new InvalidArgumentError(`invalid log option max-size=${size}`);
  const maxFiles = Number(cfg['max-file'] ?? 1);
  if (!Number.isInteger(maxFiles) || maxFiles < 1)
    throw new InvalidArgumentError(`invalid log option max-file=${cfg['max-file']}`);
  return { maxSize: Number(m[1]) * UNITS[m[2].toLowerCase()], maxFiles };
}

/** Checks every second; returns a stop function. */
export function watchLogSize(path: string, bundle: string, p: RotationPolicy): () => void {
  const t = setInterval(() => {
    try {
      maybeRotate(path, { maxSize: p.maxSize, maxFiles: p.maxFiles, ctlDir: bundle });
    } catch {}
  }, 1000);
  t.unref();
  return () => clearInterval(t);
}

/**
 * `config`: the project as one normalised Compose document (long syntax,
 * interpolated, merged, paths resolved), as YAML or JSON.
 */
import { stringify } from 'yaml';
import { serviceHash } from './hash.ts';
import type { Project } from './types.ts';

function sorted<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  );
}

export function normalisedModel(p: Project): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, services: sorted(p.services) };
  if (Object.keys(p.networks).length) out.networks = sorted(p.networks);
  if (Object.keys(p.volumes).length) out.volumes = sorted(p.volumes);
  if (Object.keys(p.secrets).length) out.secrets = sorted(p.secrets);
  if (Object.keys(p.configs).length) out.configs = sorted(p.configs);
  return out;
}

export function renderConfig(p: Project, format: 'yaml' | 'json' = 'yaml'): string {
  const m = normalisedModel(p);
  if (format === 'json') return `${JSON.stringify(m, null, 2)}\n`;
  return stringify(m, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** `config --hash SERVICE,…|*`: "service hash" lines (without the image part). */
export function renderHashes(p: Project, which: string): string {
  const names = which === '*' ? Object.keys(p.services).sort() : which.split(',');
  return names.map((n) => `${n} ${serviceHash(p.services[n])}\n`).join('');
}

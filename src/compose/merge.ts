/**
 * Merging Compose files in order (`-f a -f b`, extends): mappings merge
 * key by key, scalars and commands are replaced, lists of unique things
 * are appended without duplicates, and volumes, secrets and configs merge
 * by their target path.
 */
import type { ServiceConfig } from './types.ts';

type Raw = Record<string, unknown>;

const APPEND = new Set([
  'expose',
  'dns',
  'dns_search',
  'dns_opt',
  'tmpfs',
  'cap_add',
  'cap_drop',
  'security_opt',
  'profiles',
  'links',
  'volumes_from',
  'extra_hosts',
  'env_file',
  'devices',
  'external_links',
  'group_add',
  'ports',
  'cache_from',
  'device_cgroup_rules',
]);

const BY_TARGET = new Set(['volumes', 'secrets', 'configs']);

export function isPlainObject(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function appendUnique(a: unknown[], b: unknown[]): unknown[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  const out = [...a];
  for (const x of b) {
    const k = JSON.stringify(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

function mergeByTarget(a: Raw[], b: Raw[]): Raw[] {
  const key = (x: Raw) => String(x.target ?? x.source);
  const out = new Map(a.map((x) => [key(x), x]));
  for (const x of b) out.set(key(x), x);
  return [...out.values()];
}

/** Deep merge of mappings; `key` names the attribute being merged (for list rules). */
export function mergeValue(a: unknown, b: unknown, key = ''): unknown {
  if (b === undefined) return a;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (BY_TARGET.has(key)) return mergeByTarget(a as Raw[], b as Raw[]);
    if (APPEND.has(key)) return appendUnique(a, b);
    return b;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    // A logging driver change drops the old driver's options.
    if (key === 'logging' && a.driver && b.driver && a.driver !== b.driver) return b;
    const out: Raw = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = mergeValue(a[k], v, k);
    return out;
  }
  return b;
}

export function mergeService(base: ServiceConfig, over: ServiceConfig): ServiceConfig {
  return mergeValue(base, over) as ServiceConfig;
}

/** Merges two whole (canonical) Compose models: the later one wins. */
export function mergeModels(a: Raw, b: Raw): Raw {
  const out: Raw = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === 'services' && isPlainObject(a.services) && isPlainObject(v)) {
      const services: Raw = { ...a.services };
      for (const [name, svc] of Object.entries(v))
        services[name] = services[name] ? mergeService(services[name] as ServiceConfig, svc as ServiceConfig) : svc;
      out.services = services;
    } else out[k] = mergeValue(a[k], v, k);
  }
  return out;
}

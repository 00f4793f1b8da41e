/**
 * List filters as the Engine API carries them (`filters={"label":["a=b"]}`),
 * in both the current (`{"k": ["v"]}`) and the old (`{"k": {"v": true}}`) form.
 */
import { InvalidArgumentError } from '../lib/errors.ts';

export type Filters = Map<string, string[]>;

export function parseFilters(json: string | undefined | null, allowed?: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!json) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new InvalidArgumentError(`invalid filter: ${json} is not JSON`);
  }
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (allowed && !allowed.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
    const values = Array.isArray(v)
      ? v.map(String)
      : v && typeof v === 'object'
        ? Object.entries(v as Record<string, unknown>)
            .filter(([, on]) => on)
            .map(([name]) => name)
        : [String(v)];
    out.set(k, values);
  }
  return out;
}

export function filterBool(f: Filters, key: string): boolean | undefined {
  const v = f.get(key);
  if (!v || v.length === 0) return undefined;
  const s = v[v.length - 1].toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${s}': expected true or false`);
}

/** `label=k` (present) or `label=k=v` (equal) against a label map; all must hold. */
export function matchLabels(f: Filters, labels: Record<string, string> | undefined, key = 'label'): boolean {
  const want = f.get(key);
  if (!want) return true;
  const l = labels ?? {};
  return want.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return w in l;
    return l[w.slice(0, i)] === w.slice(i + 1);
  });
}

/** Go's path.Match on the whole string: `*`, `?`, `[...]`; `*` does not cross `/`. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j < 0) return false;
      let cls = pattern.slice(i + 1, j);
      if (cls.startsWith('^')) cls = `!${cls.slice(1)}`;
      re += `[${cls.startsWith('!') ? `^${cls.slice(1)}` : cls}]`;
      i = j;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(s);
}

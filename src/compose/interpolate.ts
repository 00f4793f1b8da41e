/**
 * Variable interpolation as the Compose Specification defines it: `$VAR`,
 * `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` /
 * `${VAR?error}`, `${VAR:+alt}` / `${VAR+alt}`, nested defaults, and `$$`
 * for a literal `$`. Applied to every string value (never to keys).
 */
import type { ConfigPath } from './errors.ts';

export type Lookup = (name: string) => string | undefined;

export class InterpolationError extends Error {
  readonly path: ConfigPath;
  constructor(message: string, path: ConfigPath) {
    super(message);
    this.path = path;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Index of the `}` closing the `${` whose body starts at `i`, or -1. */
function closingBrace(s: string, i: number): number {
  let depth = 1;
  for (; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, env: Lookup, path: ConfigPath, whole: string): string {
  let n = 0;
  while (n < body.length && (n === 0 ? NAME_START : NAME_CHAR).test(body[n])) n++;
  const name = body.slice(0, n);
  if (!name) throw new InterpolationError(`invalid interpolation format for "${whole}"`, path);
  const rest = body.slice(n);
  const value = env(name);
  if (rest === '') return value ?? '';
  const colon = rest[0] === ':';
  const op = colon ? rest[1] : rest[0];
  const word = rest.slice(colon ? 2 : 1);
  const set = colon ? value !== undefined && value !== '' : value !== undefined;
  switch (op) {
    case '-':
      return set ? (value as string) : interpolateString(word, env, path);
    case '?':
      if (set) return value as string;
      throw new InterpolationError(
        `required variable ${name} is missing a value${word ? `: ${interpolateString(word, env, path)}` : ''}`,
        path,
      );
    case '+':
      return set ? interpolateString(word, env, path) : '';
    default:
      throw new InterpolationError(`invalid interpolation format for "${whole}"`, path);
  }
}

export function interpolateString(s: string, env: Lookup, path: ConfigPath = []): string {
  if (!s.includes('$')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${s}": no closing brace`, path);
      out += braced(s.slice(i + 2, end), env, path, s);
      i = end;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < s.length && NAME_CHAR.test(s[j])) j++;
      out += env(s.slice(i + 1, j)) ?? '';
      i = j - 1;
    } else out += '$';
  }
  return out;
}

/** Interpolates every string value of a parsed tree (keys are left alone). */
export function interpolateTree(v: unknown, env: Lookup, path: ConfigPath = []): unknown {
  if (typeof v === 'string') return interpolateString(v, env, path);
  if (Array.isArray(v)) return v.map((x, i) => interpolateTree(x, env, [...path, i]));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      o[k] = k.startsWith('x-') && path.length === 0 ? x : interpolateTree(x, env, [...path, k]);
    return o;
  }
  return v;
}

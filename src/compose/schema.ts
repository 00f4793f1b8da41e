/**
 * A small JSON-schema-like checker, enough to express the Compose
 * Specification's schema (compose-schema.ts): types, enums, patterns,
 * required fields, closed objects (with `x-` extensions allowed), maps and
 * alternatives. Integers and booleans also accept their string forms,
 * because interpolation turns `${PORT}` into a string.
 */
import type { ConfigPath } from './errors.ts';

export type Schema =
  | { k: 'str'; enum?: readonly string[]; pattern?: RegExp; patternText?: string }
  | { k: 'int'; min?: number }
  | { k: 'num' }
  | { k: 'bool' }
  | { k: 'null' }
  | { k: 'any' }
  | { k: 'arr'; items: Schema; unique?: boolean }
  | { k: 'obj'; props: Record<string, Schema>; required?: readonly string[]; extra?: Schema; keys?: RegExp }
  | { k: 'one'; of: Schema[] };

export const str = (o: { enum?: readonly string[]; pattern?: RegExp } = {}): Schema => ({ k: 'str', ...o });
export const int: Schema = { k: 'int' };
export const num: Schema = { k: 'num' };
export const bool: Schema = { k: 'bool' };
export const nul: Schema = { k: 'null' };
export const any: Schema = { k: 'any' };
export const arr = (items: Schema, unique = false): Schema => ({ k: 'arr', items, unique });
export const obj = (props: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  k: 'obj',
  props,
  required,
});
/** A mapping whose keys are names and whose values all follow `extra`. */
export const map = (extra: Schema, keys?: RegExp): Schema => ({ k: 'obj', props: {}, extra, keys });
export const one = (...of: Schema[]): Schema => ({ k: 'one', of });

export interface SchemaIssue {
  path: ConfigPath;
  problem: string;
}

function describe(s: Schema): string {
  switch (s.k) {
    case 'str':
      return s.enum ? `one of ${s.enum.map((e) => `"${e}"`).join(', ')}` : 'a string';
    case 'int':
      return 'an integer';
    case 'num':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'null':
      return 'null';
    case 'any':
      return 'anything';
    case 'arr':
      return 'a list';
    case 'obj':
      return 'a mapping';
    case 'one':
      return [...new Set(s.of.map(describe))].join(' or ');
  }
}

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function sameShape(s: Schema, v: unknown): boolean {
  if (s.k === 'obj') return v !== null && typeof v === 'object' && !Array.isArray(v);
  if (s.k === 'arr') return Array.isArray(v);
  if (s.k === 'one') return s.of.some((a) => sameShape(a, v));
  return false;
}

const INT_TEXT = /^[+-]?\d+$/;
const NUM_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOL_TEXT = /^(true|false|yes|no|on|off|y|n)$/i;

/** Returns the first problem found, or undefined when the value conforms. */
export function check(s: Schema, v: unknown, path: ConfigPath = []): SchemaIssue | undefined {
  const bad = (problem: string): SchemaIssue => ({ path, problem });
  const mismatch = () => bad(`must be ${describe(s)}, not ${typeOf(v)}`);
  switch (s.k) {
    case 'any':
      return undefined;
    case 'null':
      return v === null || v === undefined ? undefined : mismatch();
    case 'str':
      if (typeof v !== 'string') return mismatch();
      if (s.enum && !s.enum.includes(v)) return bad(`must be ${describe(s)}, not "${v}"`);
      if (s.pattern && !s.pattern.test(v)) return bad(`"${v}" does not match ${s.patternText ?? s.pattern.source}`);
      return undefined;
    case 'int':
      if (typeof v === 'number' && Number.isInteger(v)) return undefined;
      return typeof v === 'string' && INT_TEXT.test(v) ? undefined : mismatch();
    case 'num':
      if (typeof v === 'number') return undefined;
      return typeof v === 'string' && NUM_TEXT.test(v) ? undefined : mismatch();
    case 'bool':
      if (typeof v === 'boolean') return undefined;
      return typeof v === 'string' && BOOL_TEXT.test(v) ? undefined : mismatch();
    case 'arr': {
      if (!Array.isArray(v)) return mismatch();
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        const e = check(s.items, v[i], [...path, i]);
        if (e) return e;
        if (s.unique) {
          const key = JSON.stringify(v[i]);
          if (seen.has(key)) return { path: [...path, i], problem: `duplicate entry ${key}` };
          seen.add(key);
        }
      }
      return undefined;
    }
    case 'obj': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return mismatch();
      const o = v as Record<string, unknown>;
      for (const r of s.required ?? []) if (o[r] === undefined) return bad(`missing required field "${r}"`);
      for (const [key, val] of Object.entries(o)) {
        const p = s.props[key];
        if (p) {
          const e = check(p, val, [...path, key]);
          if (e) return e;
        } else if (s.extra) {
          if (s.keys && !s.keys.test(key)) return { path: [...path, key], problem: `invalid name "${key}"` };
          const e = check(s.extra, val, [...path, key]);
          if (e) return e;
        } else if (!key.startsWith('x-')) return { path: [...path, key], problem: `unknown field "${key}"` };
      }
      return undefined;
    }
    case 'one': {
      let best: SchemaIssue | undefined;
      for (const alt of s.of) {
        const e = check(alt, v, path);
        if (!e) return undefined;
        // Report the problem inside the alternative of the value's own shape.
        if (!best && sameShape(alt, v)) best = e;
      }
      return best ?? mismatch();
    }
  }
}

/**
 * Converts string forms to the types the schema names (after interpolation
 * "8080" for an integer becomes 8080, "true" for a boolean becomes true).
 * The value must already conform (check first).
 */
export function coerce(s: Schema, v: unknown): unknown {
  switch (s.k) {
    case 'int':
    case 'num':
      return typeof v === 'string' ? Number(v) : v;
    case 'bool':
      return typeof v === 'string' ? /^(true|yes|on|y)$/i.test(v) : v;
    case 'arr':
      return Array.isArray(v) ? v.map((x) => coerce(s.items, x)) : v;
    case 'obj': {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const o: Record<string, unknown> = {};
      for (const [key, val] of Object.entries(v)) {
        const p = s.props[key] ?? s.extra;
        o[key] = p ? coerce(p, val) : val;
      }
      return o;
    }
    case 'one': {
      const alt = s.of.find((a) => !check(a, v));
      return alt ? coerce(alt, v) : v;
    }
    default:
      return v;
  }
}

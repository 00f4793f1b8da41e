/**
 * `RUN --mount=` specs, as BuildKit reads them: comma-separated (CSV)
 * key=value fields; types bind (default), cache, tmpfs, secret, ssh.
 */
import type { MountSharing, RunMount } from './ast.ts';
import { SyntaxProblem } from './errors.ts';
import { closest } from './suggest.ts';

const TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
type MountType = (typeof TYPES)[number];
const KEYS = [
  'type',
  'from',
  'source',
  'src',
  'target',
  'dst',
  'destination',
  'readonly',
  'ro',
  'readwrite',
  'rw',
  'required',
  'size',
  'id',
  'sharing',
  'mode',
  'uid',
  'gid',
  'env',
];

/** Splits one CSV record (Go encoding/csv rules: `"` quotes a field, `""` is a quote inside). */
export function csvFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new SyntaxProblem(`extraneous or missing " in quoted-field: ${text}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',')
        throw new SyntaxProblem(`extraneous or missing " in quoted-field: ${text}`);
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end < 0 ? text.length : end);
      if (field.includes('"')) throw new SyntaxProblem(`bare " in non-quoted-field: ${text}`);
      i = end < 0 ? text.length : end;
    }
    out.push(field);
    if (i >= text.length) return out;
    i++;
  }
}

function parseBool(key: string, v: string): boolean {
  const l = v.toLowerCase();
  if (['1', 't', 'true'].includes(l)) return true;
  if (['0', 'f', 'false'].includes(l)) return false;
  throw new SyntaxProblem(`invalid value for ${key}: ${v}`);
}

function parseUint(key: string, v: string, radix: 8 | 10): number {
  const re = radix === 8 ? /^[0-7]+$/ : /^\d+$/;
  if (!re.test(v)) throw new SyntaxProblem(`invalid value for ${key}: ${v}`);
  const n = Number.parseInt(v, radix);
  if (n > 0xffffffff) throw new SyntaxProblem(`invalid value for ${key}: ${v}`);
  return n;
}

/** Docker's RAMInBytes: `64m`, `1g`, `512k`, `1.5GiB`, plain bytes (1024-based). */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(v.trim());
  if (!m) throw new SyntaxProblem(`invalid size: '${v}'`);
  const power = ' kmgtp'.indexOf(m[2].toLowerCase() || ' ');
  return Math.floor(Number(m[1]) * 1024 ** power);
}

/**
 * Parses one mount spec. Without `expandValue` the values are taken as
 * written and numeric fields holding a `$` are left unset (`hasVariables`
 * then tells the builder to parse again with its expander).
 */
export function parseMount(spec: string, expandValue?: (v: string) => string): RunMount {
  const fields = csvFields(spec).filter((f) => f !== '');
  let hasVariables = false;
  let type: MountType = 'bind';
  for (const f of fields) {
    const [k, v] = splitField(f);
    if (k === 'type' && v !== undefined) {
      const t = (expandValue ? expandValue(v) : v).toLowerCase();
      if (!(TYPES as readonly string[]).includes(t)) {
        const hint = closest(t, TYPES);
        throw new SyntaxProblem(`unsupported mount type "${v}"${hint ? ` (did you mean ${hint}?)` : ''}`);
      }
      type = t as MountType;
    }
  }
  const m: {
    from?: string;
    source?: string;
    target?: string;
    readonly?: boolean;
    required: boolean;
    size?: number;
    id?: string;
    sharing?: string;
    mode?: number;
    uid?: number;
    gid?: number;
    env?: string;
  } = { required: false };
  const onlyFor = (key: string, ...types: MountType[]): void => {
    if (!types.includes(type)) throw new SyntaxProblem(`unexpected key '${key}' for mount type '${type}'`);
  };
  for (const field of fields) {
    const [key, raw] = splitField(field);
    if (raw === undefined) {
      if (key === 'readonly' || key === 'ro') m.readonly = true;
      else if (key === 'readwrite' || key === 'rw') m.readonly = false;
      else if (key === 'required') {
        onlyFor(key, 'secret', 'ssh');
        m.required = true;
      } else throw new SyntaxProblem(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    let value = raw;
    if (expandValue) value = expandValue(raw);
    else if (raw.includes('$')) hasVariables = true;
    const deferred = !expandValue && raw.includes('$');
    switch (key) {
      case 'type':
        break;
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro':
        if (!deferred) m.readonly = parseBool(key, value);
        break;
      case 'readwrite':
      case 'rw':
        if (!deferred) m.readonly = !parseBool(key, value);
        break;
      case 'required':
        onlyFor(key, 'secret', 'ssh');
        if (!deferred) m.required = parseBool(key, value);
        break;
      case 'size':
        onlyFor(key, 'tmpfs');
        if (!deferred) m.size = parseSize(value);
        break;
      case 'id':
        m.id = value;
        break;
      case 'sharing':
        onlyFor(key, 'cache');
        if (!deferred && !['shared', 'private', 'locked'].includes(value.toLowerCase())) {
          throw new SyntaxProblem(`unsupported sharing value "${value}"`);
        }
        m.sharing = value.toLowerCase();
        break;
      case 'mode':
        onlyFor(key, 'cache', 'secret', 'ssh');
        if (!deferred) m.mode = parseUint(key, value, 8);
        break;
      case 'uid':
      case 'gid':
        onlyFor(key, 'cache', 'secret', 'ssh');
        if (!deferred) m[key] = parseUint(key, value, 10);
        break;
      case 'env':
        onlyFor(key, 'secret');
        m.env = value;
        break;
      default: {
        const hint = closest(key, KEYS);
        throw new SyntaxProblem(`unexpected key '${key}' in '${field}'${hint ? ` (did you mean ${hint}?)` : ''}`);
      }
    }
  }
  switch (type) {
    case 'bind':
    case 'tmpfs':
    case 'cache': {
      if (!m.target) throw new SyntaxProblem(`mount target must be specified for a ${type} mount`);
      if (type === 'tmpfs') return { type, target: m.target, size: m.size, hasVariables };
      if (type === 'bind') {
        return { type, target: m.target, source: m.source, from: m.from, readonly: m.readonly ?? true, hasVariables };
      }
      return {
        type,
        target: m.target,
        id: m.id,
        sharing: (m.sharing ?? 'shared') as MountSharing,
        source: m.source,
        from: m.from,
        readonly: m.readonly ?? false,
        mode: m.mode,
        uid: m.uid,
        gid: m.gid,
        hasVariables,
      };
    }
    default: {
      if (m.from !== undefined) throw new SyntaxProblem(`${type} mount should not have a from`);
      if (m.source !== undefined && m.id !== undefined) throw new SyntaxProblem("both source and id can't be set");
      let id = m.id ?? m.source;
      if (type === 'secret') {
        if (id === undefined && m.target === undefined) {
          throw new SyntaxProblem('invalid secret mount: one of id, source or target is required');
        }
        id ??= m.target!.split('/').filter(Boolean).pop() ?? '';
      }
      id ??= 'default';
      let target = m.target;
      if (target === undefined && type === 'secret' && m.env === undefined) target = `/run/secrets/${id}`;
      return {
        type,
        id,
        target,
        env: m.env,
        required: m.required,
        mode: m.mode ?? (type === 'secret' ? 0o400 : 0o600),
        uid: m.uid ?? 0,
        gid: m.gid ?? 0,
        hasVariables,
      };
    }
  }
}

function splitField(f: string): [string, string | undefined] {
  const eq = f.indexOf('=');
  return eq < 0 ? [f.toLowerCase(), undefined] : [f.slice(0, eq).toLowerCase(), f.slice(eq + 1)];
}

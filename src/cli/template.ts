/**
 * The part of Go's text/template that `--format` uses in practice:
 * `{{.A.B}}`, `{{json .A}}`, `{{index .A "key"}}`, `{{.Label "key"}}`,
 * `{{lower …}}`/`{{upper …}}`, `{{join .A ","}}`, `table` prefixes, `\t`, `\n`.
 */
import { table } from './output.ts';

function lookup(root: unknown, path: string): unknown {
  if (path === '.') return root;
  let v: unknown = root;
  for (const key of path.replace(/^\./, '').split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object')
    return `map[${Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, x]) => `${k}:${show(x)}`)
      .join(' ')}]`;
  return String(v);
}

/** Splits `json .A "x"` into words, keeping quoted strings. */
function words(expr: string): string[] {
  return [...expr.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? `"${m[1]}` : (m[2] as string),
  );
}

function evaluate(expr: string, data: unknown): unknown {
  const w = words(expr.trim());
  const arg = (x: string | undefined): unknown =>
    x === undefined ? undefined : x.startsWith('"') ? x.slice(1) : lookup(data, x);
  const [head, ...rest] = w;
  switch (head) {
    case 'json':
      return JSON.stringify(arg(rest[0]) ?? null);
    case 'index': {
      let v = arg(rest[0]);
      for (const k of rest.slice(1)) v = v == null ? undefined : (v as Record<string, unknown>)[String(arg(k))];
      return v;
    }
    case 'lower':
      return show(arg(rest[0])).toLowerCase();
    case 'upper':
      return show(arg(rest[0])).toUpperCase();
    case 'join': {
      const v = arg(rest[0]);
      return Array.isArray(v) ? v.join(String(arg(rest[1]) ?? '')) : show(v);
    }
    case 'println':
      return `${rest.map((r) => show(arg(r))).join(' ')}\n`;
    default:
      break;
  }
  if (head && rest.length === 1 && head.startsWith('.')) {
    // `.Label "key"`: a method with one argument, as docker's ps formatter has.
    const fn = lookup(data, head);
    if (typeof fn === 'function') return (fn as (a: unknown) => unknown)(arg(rest[0]));
  }
  if (!head) return '';
  const v = arg(head);
  return typeof v === 'function' ? (v as () => unknown)() : v;
}

/** Renders one template against one object. */
export function render(template: string, data: unknown): string {
  const t = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return t.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, expr: string) => {
    const v = evaluate(expr, data);
    return typeof v === 'string' ? v : show(v);
  });
}

/** `table {{.A}}\t{{.B}}`: true when the format asks for a header row. */
export function isTable(format: string): boolean {
  return /^table(\s|$)/.test(format);
}

/**
 * Renders rows for `--format`: `json` gives one JSON object per line, a
 * `table …` template a header (from `headers`, by field name) and rows
 * aligned like docker's tabwriter, anything else one line per row.
 */
export function renderRows(format: string, rows: object[], headers: Record<string, string> = {}): string {
  if (format === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (!isTable(format)) return rows.map((r) => `${render(format, r)}\n`).join('');
  const body = format.replace(/^table\s*/, '');
  const headerLine = body.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, expr: string) => {
    const field = /\.(\w+)\s*$/.exec(expr)?.[1] ?? expr;
    return headers[field] ?? field.toUpperCase();
  });
  const [head, ...cells] = [headerLine, ...rows.map((r) => render(body, r))].map((l) =>
    l.replace(/\\t/g, '\t').split('\t'),
  );
  return table(head, cells);
}

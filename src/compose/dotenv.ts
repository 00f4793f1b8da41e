/**
 * `.env` and `env_file` files: `KEY=VALUE` lines, `export KEY=…`, comments,
 * single quotes (literal), double quotes (escapes, multi-line), inline
 * `# comments` after unquoted values, and `${VAR}` interpolation of unquoted
 * and double-quoted values against what came before and the lookup given.
 */
import { readFileSync } from 'node:fs';
import { ComposeError } from './errors.ts';
import { interpolateString, type Lookup } from './interpolate.ts';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses dotenv text; a key with no `=` maps to undefined (taken from the environment by the caller). */
export function parseDotenv(
  text: string,
  file = '.env',
  lookup: Lookup = () => undefined,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const env: Lookup = (n) => (out.has(n) ? out.get(n) : lookup(n));
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trim();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!KEY.test(key)) throw new ComposeError(`line ${i + 1}: invalid variable name "${key}"`, { file, line: i + 1 });
    if (eq < 0) {
      out.set(key, lookup(key));
      continue;
    }
    let raw = line.slice(eq + 1).trimStart();
    let value: string;
    const q = raw[0];
    if (q === "'" || q === '"') {
      // A quoted value may span lines until its closing quote.
      let body = raw.slice(1);
      let end = findClose(body, q);
      while (end < 0 && i + 1 < lines.length) {
        body += `\n${lines[++i]}`;
        end = findClose(body, q);
      }
      if (end < 0) throw new ComposeError(`line ${i + 1}: unterminated quoted value for ${key}`, { file, line: i + 1 });
      value = body.slice(0, end);
      if (q === '"') {
        value = value.replace(/\\([nrt"\\$])/g, (_m, c: string) =>
          c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? '$$' : c,
        );
        value = interpolateString(value, env, [key]);
      }
    } else {
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = interpolateString(raw.trim(), env, [key]);
    }
    out.set(key, value);
  }
  return out;
}

function findClose(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

export function readDotenv(file: string, lookup?: Lookup): Map<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ComposeError(`cannot read env file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      file,
    });
  }
  return parseDotenv(text, file, lookup);
}

/** `key=value` lists and the env and label files (`--env-file`, `--label-file`). */
import { readFileSync } from 'node:fs';

export function keyValues(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid ${what}: '${kv}' (expected key=value)`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Lines of an env or label file: comments and blank lines skipped. */
export function fileLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s+/, ''))
    .filter((l) => l && !l.startsWith('#'));
}

/** `-e K=V`, `-e K` (from berth's environment, dropped when unset) and env files; files first, as docker. */
export function envList(env: string[] = [], files: string[] = []): string[] {
  const out: string[] = [];
  for (const e of [...files.flatMap(fileLines), ...env]) {
    if (e.includes('=')) out.push(e);
    else if (process.env[e] !== undefined) out.push(`${e}=${process.env[e]}`);
  }
  return out;
}

/**
 * What the network, volume and system commands share: inspect of many
 * names, docker's confirmation prompt, `key=value` option lists, Go's time format and the sizes docker
 * prints with four significant digits (`Total reclaimed space: 1.234MB`).
 */
import { createInterface } from 'node:readline';
import { humanSize, printJson } from '../output.ts';
import { render } from '../template.ts';

/** Asks `question [y/N] ` on stdout, as docker does; only `y`/`Y` (or yes) confirms, EOF declines. */
export async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`${question} [y/N] `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  process.stdin.pause();
  return /^y(es)?$/i.test(answer.trim());
}

/** `--label a=b`, `-o k=v` lists as a map (a bare key maps to ""). */
export function keyValues(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i < 0) out[kv] = '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `a=b,c=d`: labels as docker's formatters show them. */
export function labelsText(labels: Record<string, string> | null | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** An RFC 3339 time as Go's time.Time prints it: `2026-11-27 19:05:03.403 +0000 UTC`. */
export function goTime(iso: string | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  if (!m) return iso;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} +0000 UTC`;
}

/** Decimal sizes with four significant digits, like go-units' HumanSize: `1.982MB`, `0B`. */
export const humanSize4 = (n: number): string => humanSize(n, 4);

/** `Deleted Networks:\nname\n` and the blank line docker's Fprintln adds; nothing when the list is empty. */
export function deletedBlock(title: string, items: string[]): string {
  return items.length ? `${title}:\n${items.map((i) => `${i}\n`).join('')}\n` : '';
}

/** `inspect` of many names: a JSON array (or a template per object); a failure is reported and exits 1. */
export async function inspectEach(
  names: string[],
  get: (name: string) => Promise<unknown>,
  o: { format?: string },
): Promise<void> {
  const out: unknown[] = [];
  let failed = false;
  for (const n of names) {
    try {
      out.push(await get(n));
    } catch (e) {
      failed = true;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (o.format && o.format !== 'json')
    process.stdout.write(out.map((x) => `${render(o.format as string, x)}\n`).join(''));
  else printJson(out);
  if (failed) process.exitCode = 1;
}

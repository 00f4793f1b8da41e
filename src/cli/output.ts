/** Output helpers for berth commands: docker-style tables, sizes, ages, JSON. */
import { writeSync } from 'node:fs';

/** Prints rows as a table with docker's spacing (its tabwriter: cells at least 10 wide, 3 spaces of padding). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(Math.max(widths[i] + 3, 10))))
      .join('')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** Decimal sizes like go-units' HumanSize: 3 significant digits as docker's tables (`4.26MB`), 4 where docker asks for it. */
export function humanSize(n: number, digits = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(digits))}${units[i]}`;
}

/** Binary sizes, like docker's `docker stats`: `1.5MiB`. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toFixed(2))}${units[i]}`;
}

/** `About a minute`, `3 hours`, `2 weeks`: docker's human durations. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

export function ago(unixSeconds: number): string {
  return `${humanDuration(Date.now() / 1000 - unixSeconds)} ago`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Writes to stdout at once with write(2), for a command that prints once and
 * ends: Node's process.stdout is not made (on a pipe or a terminal, making
 * it loads node:net). A full non-blocking pipe gets the rest through the stream;
 * a closed one ends the output quietly.
 */
export function writeOut(text: string): void {
  const b = Buffer.from(text);
  let at = 0;
  try {
    while (at < b.length) at += writeSync(1, b, at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return; // the reader is gone (`| head`): nothing more to say
    if (code !== 'EAGAIN') throw e;
    process.stdout.write(b.subarray(at));
  }
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 4)}\n`);
}

/** `--format json` prints one JSON object per line; a Go-style template `{{.Field}}` fills fields. */
export function formatLine(format: string, obj: Record<string, unknown>): string {
  if (format === 'json' || format === '{{json .}}') return JSON.stringify(obj);
  return format
    .replace(/\{\{\s*(json\s+)?\.(\w+)\s*\}\}/g, (_m, json: string | undefined, k: string) =>
      json ? JSON.stringify(obj[k]) : String(obj[k] ?? ''),
    )
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n');
}

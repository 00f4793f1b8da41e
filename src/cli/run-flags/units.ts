/** docker's numbers on the command line: sizes, Go durations, plain integers. */
/** docker's RAMInBytes: `32m`, `1.5g`, `512k`, `100` (binary units, optional `b`/`ib`). */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp])?(i?b)?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size: '${s}'`);
  const pow = m[2] ? 'kmgtp'.indexOf((m[2] as string).toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** pow);
}

/** A Go duration (`1m30s`, `500ms`, `2h`) in nanoseconds. */
export function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw new Error(`invalid duration: '${s}' (use e.g. 30s, 1m30s, 500ms)`);
  return Math.round(total);
}

export function int(s: string, what: string): number {
  if (!/^-?\d+$/.test(s.trim())) throw new Error(`invalid ${what}: '${s}'`);
  return Number(s);
}

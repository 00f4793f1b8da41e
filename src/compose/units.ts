/** Compose value syntaxes: durations, byte sizes, shell words, booleans. */

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};

/** "1m30s", "10s", "1.5h", "250ms" (or a bare number of seconds) → nanoseconds; undefined if invalid. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return v * 1e9;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1e9;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length && s.length > 0 ? Math.round(total) : undefined;
}

/** Nanoseconds → Go-style duration text ("1m30s"). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  let out = '';
  let rest = ns;
  const h = Math.floor(rest / 3600e9);
  if (h) out += `${h}h`;
  rest -= h * 3600e9;
  const m = Math.floor(rest / 60e9);
  if (m) out += `${m}m`;
  rest -= m * 60e9;
  if (rest) out += rest % 1e9 === 0 || rest >= 1e9 ? `${+(rest / 1e9).toFixed(9)}s` : `${rest / 1e6}ms`;
  return out;
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512m", "1g", "1.5GB", 1024 → bytes; undefined if invalid. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?\s*$/i.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

export function parseBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return /^(true|yes|on|y|1)$/i.test(String(v));
}

/** Splits a command string like a POSIX shell would into words (quotes, backslashes), no expansion. */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in "${s}"`);
      cur += s.slice(i + 1, end);
      i = end;
      has = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && '"\\$`'.includes(s[j + 1] ?? '')) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new Error(`unterminated double quote in "${s}"`);
      i = j;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

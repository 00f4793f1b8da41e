/** wrk (Debian's, /usr/bin/wrk) as a load generator, its summary parsed. */
import { get } from 'node:http';
import { runAsync } from '../../test/helpers/daemon.ts';

export interface WrkResult {
  rps: number;
  p50Us: number;
  p99Us: number;
  mibps: number;
  errors: number;
}

const TIME: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6 };
const SIZE: Record<string, number> = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 };

function num(out: string, re: RegExp, table: Record<string, number>): number {
  const m = re.exec(out);
  if (!m) throw new Error(`wrk output without ${re}:\n${out}`);
  return Number(m[1]) * (table[m[2]] ?? Number.NaN);
}

export async function wrk(url: string, o: { conns: number; seconds: number }): Promise<WrkResult> {
  const threads = String(Math.min(2, o.conns));
  const r = await runAsync(
    'wrk',
    ['-t', threads, '-c', String(o.conns), '-d', `${o.seconds}s`, '--latency', url],
    {},
    {
      timeoutMs: (o.seconds + 30) * 1000,
    },
  );
  if (r.code !== 0) throw new Error(`wrk ${url} failed: ${r.stderr}${r.stdout}`);
  const out = r.stdout;
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Us: num(out, /^\s+50%\s+([\d.]+)(us|ms|s|m)$/m, TIME),
    p99Us: num(out, /^\s+99%\s+([\d.]+)(us|ms|s|m)$/m, TIME),
    mibps: num(out, /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/, SIZE),
    errors: (errs ? errs.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + Number(non2xx?.[1] ?? 0),
  };
}

/** Resolves once `url` answers 200, or throws after `timeoutMs`. */
export async function waitHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Cold CLI start (issue 2): `berth version`, `berth ps -a` and `berth images`
 * as new processes against berthd, beside the docker CLI 28 against the same
 * berthd (so the daemon's share is the same) and Podman 4.3 (no daemon, its
 * own roots), and bare `node -e 0` (the floor for a Node CLI). Engines and
 * commands take turns, run by run; medians. Prints a Markdown table.
 *
 *   node --disable-warning=ExperimentalWarning dist/bench/cli/run.js [--runs N] [--no-podman]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { dockerCli, ROOT, runAsync } from '../../test/helpers/daemon.ts';
import { median, type Podman, podmanPeer, startBerthd } from '../lib/peers.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 20;
const WITH_PODMAN = !args.includes('--no-podman');
const BERTH = join(ROOT, 'bin/berth');
const NODE = join(ROOT, '.tools/node_modules/node/bin/node');
const log = (s: string) => process.stderr.write(`${s}\n`);

type Runner = () => Promise<number>;

function timer(cmd: string, a: string[], env: Record<string, string>): Runner {
  return async () => {
    const t0 = performance.now();
    const r = await runAsync(cmd, a, env);
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(`${cmd} ${a.join(' ')} failed (${r.code}): ${r.stderr}`);
    return ms;
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync('/tmp/berth-bench-cli-');
  const b = await startBerthd(join(work, 'berth'));
  let podman: Podman | undefined;
  try {
    const env = b.env;
    for (const a of [
      ['image', 'bootstrap', 'busybox'],
      ...Array.from({ length: 5 }, () => ['create', 'busybox', 'true']),
    ]) {
      const r = await runAsync(BERTH, a, env);
      if (r.code !== 0) throw new Error(`berth ${a.join(' ')}: ${r.stderr}`);
    }
    if (WITH_PODMAN) podman = podmanPeer(join(work, 'podman'));
    const p = podman;
    const podmanTimer = (a: string[]): Runner | undefined =>
      p &&
      (async () => {
        const t0 = performance.now();
        const r = await p.run(a);
        if (r.code !== 0) throw new Error(`podman ${a.join(' ')}: ${r.stderr}`);
        return performance.now() - t0;
      });
    const cases: Array<{ what: string; berth: Runner; docker: Runner; podman?: Runner; target?: number }> = [
      {
        what: '`version`',
        berth: timer(BERTH, ['version'], env),
        docker: timer(dockerCli(), ['version'], env),
        podman: podmanTimer(['version']),
        target: 100,
      },
      {
        what: '`ps -a` (5 containers)',
        berth: timer(BERTH, ['ps', '-a'], env),
        docker: timer(dockerCli(), ['ps', '-a'], env),
        podman: podmanTimer(['ps', '-a']),
      },
      {
        what: '`images` (busybox)',
        berth: timer(BERTH, ['images'], env),
        docker: timer(dockerCli(), ['images'], env),
        podman: podmanTimer(['images']),
      },
    ];
    const floor = timer(NODE, ['-e', '0'], {});
    const times = new Map<Runner, number[]>();
    const all = [floor, ...cases.flatMap((c) => [c.berth, c.docker, ...(c.podman ? [c.podman] : [])])];
    for (const r of all) await r(); // warm the page cache (and Berth's compile cache)
    const load0 = loadavg()[0];
    for (let i = 0; i < RUNS; i++) {
      for (const r of all) times.set(r, [...(times.get(r) ?? []), await r()]);
      if (i % 5 === 4) log(`run ${i + 1}/${RUNS}`);
    }
    const load1 = loadavg()[0];
    const med = (r: Runner | undefined) => (r ? median(times.get(r) ?? []) : undefined);
    const ms = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(0)} ms`);
    const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '—');
    const lines = [
      `## berth CLI, cold process (medians of ${RUNS}; load average ${load0.toFixed(2)} → ${load1.toFixed(2)})`,
      '',
      '| command | berth → berthd | docker CLI 28 → berthd | Podman 4.3 | berth/docker | berth/Podman | target | met |',
      '|---|---|---|---|---|---|---|---|',
    ];
    for (const c of cases) {
      const [bm, dm, pm] = [med(c.berth) as number, med(c.docker), med(c.podman)];
      const met = c.target === undefined ? '—' : bm < c.target ? 'yes' : 'no';
      lines.push(
        `| ${c.what} | ${ms(bm)} | ${ms(dm)} | ${ms(pm)} | ${ratio(bm, dm)} | ${ratio(bm, pm)} | ${c.target ? `< ${c.target} ms` : '—'} | ${met} |`,
      );
    }
    lines.push(`| bare \`node -e 0\` (Node 24, the floor) | ${ms(med(floor))} | — | — | — | — | — | — |`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    podman?.stop();
    await b.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();

/**
 * Build speed, Berth side (issue 7): a 3-step Dockerfile (FROM busybox, COPY,
 * RUN), cached rebuild and --no-cache, through `berth build` and through the
 * docker CLI's classic builder against berthd. Medians of N runs, wall
 * clock of the client command. Peers' figures (PEERS.md, same machine):
 * BuildKit 160 / 557 ms, Docker legacy 259 / 1194 ms, Podman 777 / 1740 ms.
 *
 *   npm run build && node dist/bench/build/build.bench.js [N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerCli, loadBusybox, ROOT, startDaemon } from '../../test/helpers/daemon.ts';

const N = Number(process.argv[2] ?? 15);
const PEERS = { buildkit: [160, 557], legacy: [259, 1194] };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const d = await startDaemon({ extraArgs: ['--log-level', 'info'] });
const ctx = mkdtempSync('/tmp/berth-bench-build-');
try {
  await loadBusybox(d);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY app.txt /app.txt\nRUN cat /app.txt > /copy.txt\n');
  writeFileSync(join(ctx, 'app.txt'), 'hello\n');
  const env = { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host, DOCKER_BUILDKIT: '0' };
  const time = (cmd: string, args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    return performance.now() - t0;
  };
  const berth = join(ROOT, 'bin/berth');
  time(berth, ['build', '-t', 'bench', ctx]);
  const rows: Array<[string, number, number]> = [];
  for (const [name, cmd, extra] of [
    ['berth build', berth, []],
    ['docker build (classic) → berthd', dockerCli(), []],
  ] as const) {
    const cached: number[] = [];
    const nocache: number[] = [];
    for (let i = 0; i < N; i++) {
      cached.push(time(cmd, ['build', ...extra, '-q', '-t', 'bench', ctx]));
      nocache.push(time(cmd, ['build', ...extra, '-q', '--no-cache', '-t', 'bench', ctx]));
    }
    rows.push([name, median(cached), median(nocache)]);
  }
  // the client's own start-up, for reference
  const version = median(Array.from({ length: N }, () => time(berth, ['version'])));
  console.log(`| client | cached rebuild | --no-cache | vs BuildKit (${PEERS.buildkit.join(' / ')} ms) |`);
  console.log('|---|---|---|---|');
  for (const [name, c, n] of rows) {
    console.log(
      `| ${name} | ${c.toFixed(0)} ms | ${n.toFixed(0)} ms | ${(c / PEERS.buildkit[0]).toFixed(2)}× / ${(n / PEERS.buildkit[1]).toFixed(2)}× |`,
    );
  }
  console.log(`(berth version alone: ${version.toFixed(0)} ms; N=${N})`);
} finally {
  rmSync(ctx, { recursive: true, force: true });
  await d.cleanup();
}

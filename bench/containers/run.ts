/**
 * Issue 3's speed targets, side by side with Docker (Debian docker.io's
 * dockerd, started here on its own roots) and Podman, in one run:
 *
 *   run --rm busybox true                 Berth ≤ 0.25 × Docker
 *   exec true                             Berth ≤ 0.5 × Docker
 *   50 × run -d … sleep                   Berth ≤ 0.25 × Docker (total)
 *   memory with 50 idle containers (PSS)  Berth ≤ 0.5 × dockerd + containerd + shims
 *
 * Berth and Docker are driven by the same docker CLI, Podman by its own.
 * Docker and Podman run with `--network none` (dockerd here has no bridge);
 * Berth runs with its default network, so its figure includes network setup
 * once bridge networks exist. Each figure is the wall time of the client
 * command, as a user sees it.
 *
 *   npm run build && node dist/bench/containers/run.js [--runs N] [--no-podman]
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { dockerCli, ROOT, type RunResult, runAsync } from '../../test/helpers/daemon.ts';
import {
  pidsMatching,
  podmanPeer,
  printRows,
  pssKiB,
  type Row,
  series,
  startBerthd,
  startDockerd,
} from '../lib/peers.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 15;
const WITH_PODMAN = !args.includes('--no-podman');
const DOCKER = dockerCli();
const N_IDLE = 50;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Engine {
  name: string;
  cli(a: string[]): Promise<RunResult>;
  runFlags: string[];
  /** PIDs of the engine's processes besides the containers (for PSS). */
  pids(): number[];
}

interface Figures {
  run: number;
  exec: number;
  fifty: number;
  pssMiB: number;
}

async function ok(e: Engine, a: string[]): Promise<string> {
  const r = await e.cli(a);
  if (r.code !== 0) throw new Error(`${e.name} ${a.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function timedCli(e: Engine, a: string[]): () => Promise<number> {
  return async () => {
    const t0 = performance.now();
    await ok(e, a);
    return performance.now() - t0;
  };
}

async function measure(e: Engine): Promise<Figures> {
  await ok(e, ['run', '--rm', ...e.runFlags, 'busybox', 'true']);
  const run = await series(RUNS, timedCli(e, ['run', '--rm', ...e.runFlags, 'busybox', 'true']));
  log(`${e.name}: run --rm true ${run.toFixed(0)} ms`);
  await ok(e, ['run', '-d', '--name', 'bench-exec', ...e.runFlags, 'busybox', 'sleep', '1000']);
  await ok(e, ['exec', 'bench-exec', 'true']);
  const exec = await series(RUNS, timedCli(e, ['exec', 'bench-exec', 'true']));
  log(`${e.name}: exec true ${exec.toFixed(0)} ms`);
  await ok(e, ['rm', '-f', 'bench-exec']);
  const t0 = performance.now();
  for (let i = 0; i < N_IDLE; i++) await ok(e, ['run', '-d', ...e.runFlags, 'busybox', 'sleep', '100000']);
  const fifty = performance.now() - t0;
  log(`${e.name}: ${N_IDLE} × run -d ${(fifty / 1000).toFixed(1)} s`);
  await new Promise((r) => setTimeout(r, 3000));
  const pssMiB = e.pids().reduce((n, p) => n + pssKiB(p), 0) / 1024;
  log(`${e.name}: PSS with ${N_IDLE} idle containers ${pssMiB.toFixed(0)} MiB`);
  const ids = (await ok(e, ['ps', '-aq'])).split('\n').filter(Boolean);
  if (ids.length) await e.cli(['rm', '-f', ...ids]);
  return { run, exec, fifty, pssMiB };
}

async function main(): Promise<void> {
  const berthd = await startBerthd(mkdtempSync('/tmp/bench-berth-'));
  const docker = await startDockerd({ dir: mkdtempSync('/tmp/bench-dockerd-') });
  const podman = WITH_PODMAN ? podmanPeer(mkdtempSync('/tmp/bench-podman-')) : undefined;
  try {
    const tar = join(berthd.dir, 'busybox.tar');
    for (const a of [
      ['image', 'bootstrap', 'busybox'],
      ['image', 'save', '-o', tar, 'busybox'],
    ]) {
      const r = await runAsync(join(ROOT, 'bin/berth'), a, berthd.env);
      if (r.code !== 0) throw new Error(`berth ${a.join(' ')}: ${r.stderr}`);
    }
    const engines: Engine[] = [
      {
        name: 'berth',
        cli: (a) => runAsync(DOCKER, a, berthd.env, { timeoutMs: 600_000 }),
        runFlags: [],
        pids: () => [berthd.proc.pid as number, ...pidsMatching(`conmon.*${berthd.dir}`)],
      },
      {
        name: 'docker',
        cli: (a) => docker.docker(a),
        runFlags: ['--network', 'none'],
        pids: () => [docker.proc.pid as number, ...pidsMatching(docker.dir), ...pidsMatching('containerd-shim')],
      },
    ];
    if (podman) {
      engines.push({
        name: 'podman',
        cli: (a) => podman.run(a),
        runFlags: ['--network', 'none'],
        pids: () => pidsMatching(`conmon.*${podman.dir}`),
      });
    }
    for (const e of engines.slice(1)) await ok(e, ['load', '-i', tar]);
    const f: Record<string, Figures> = {};
    for (const e of engines) f[e.name] = await measure(e);
    const b = f.berth;
    const d = f.docker;
    const p = f.podman;
    const rows: Row[] = [
      {
        what: '`run --rm busybox true` (median)',
        berth: b.run,
        docker: d.run,
        podman: p?.run,
        unit: 'ms',
        target: '≤ 0.25 × Docker',
        ok: b.run <= 0.25 * d.run,
      },
      {
        what: '`exec true` (median)',
        berth: b.exec,
        docker: d.exec,
        podman: p?.exec,
        unit: 'ms',
        target: '≤ 0.5 × Docker',
        ok: b.exec <= 0.5 * d.exec,
      },
      {
        what: `${N_IDLE} × \`run -d\` (total)`,
        berth: b.fifty / 1000,
        docker: d.fifty / 1000,
        podman: p ? p.fifty / 1000 : undefined,
        unit: 's',
        target: '≤ 0.25 × Docker',
        ok: b.fifty <= 0.25 * d.fifty,
      },
      {
        what: `PSS, daemon and monitors, ${N_IDLE} idle containers`,
        berth: b.pssMiB,
        docker: d.pssMiB,
        podman: p?.pssMiB,
        unit: 'MiB',
        target: '≤ 0.5 × Docker',
        ok: b.pssMiB <= 0.5 * d.pssMiB,
      },
    ];
    printRows(`Containers (runs: ${RUNS}, ${new Date().toISOString()})`, rows);
  } finally {
    await berthd.stop();
    await docker.stop();
    podman?.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

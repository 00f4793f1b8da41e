/**
 * Side-by-side: pull of a 200 MB image of 4 layers, and push of it to an
 * empty registry, by berthd (through the docker CLI) and by Docker
 * (Debian's dockerd 20.10, its own roots), from CNCF distribution 2.8.2 on
 * 127.0.0.1. Medians of 3, and the ratios Berth/Docker.
 * Run: npm run build && node dist/bench/distribution/run.js
 */
import { randomFillSync } from 'node:crypto';
import { makeTar } from '../../src/store/test-tar.ts';
import { type Distribution, startDistribution } from '../../test/distribution/peers.ts';
import { pushImage } from '../../test/distribution/registry-image.ts';
import { startDockerd } from '../../test/foundation/dockerd.ts';
import { startDaemon } from '../../test/helpers/daemon.ts';

const MB = 1_000_000;

/** 4 layers of 50 MB each: half random, half text (gzip gets about 1.5x). */
async function makeImage(reg: Distribution): Promise<void> {
  const layers = [];
  for (let i = 0; i < 4; i++) {
    const data = Buffer.alloc(50 * MB);
    randomFillSync(data, 0, 25 * MB);
    data.fill(`layer ${i} line of text for the compressor\n`, 25 * MB);
    layers.push({ tar: await makeTar([{ name: `data${i}.bin`, content: data }]) });
  }
  await pushImage(reg.host, 'bench/big', '1', layers);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Cli = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

async function timed(cli: Cli, args: string[]): Promise<number> {
  const t = performance.now();
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t;
}

async function measure(name: string, cli: Cli, reg: Distribution): Promise<{ pull: number; push: number }> {
  const img = `${reg.host}/bench/big:1`;
  const pulls: number[] = [];
  const pushes: number[] = [];
  for (let i = 0; i < 3; i++) {
    await cli(['rmi', '-f', img]);
    pulls.push(await timed(cli, ['pull', '-q', img]));
    const target = await startDistribution();
    await cli(['tag', img, `${target.host}/bench/pushed:1`]);
    pushes.push(await timed(cli, ['push', '-q', `${target.host}/bench/pushed:1`]));
    await cli(['rmi', `${target.host}/bench/pushed:1`]);
    await target.stop();
  }
  console.log(
    `${name}: pull ${pulls.map((x) => x.toFixed(0)).join(' ')} ms; push ${pushes.map((x) => x.toFixed(0)).join(' ')} ms`,
  );
  return { pull: median(pulls), push: median(pushes) };
}

async function main(): Promise<void> {
  const reg = await startDistribution();
  await makeImage(reg);
  const berth = await startDaemon();
  const docker = await startDockerd();
  try {
    const b = await measure('berth', (a) => berth.dockerAsync(a, { timeoutMs: 600_000 }), reg);
    const d = await measure('docker', (a) => docker.docker(a), reg);
    console.log(
      `pull 200 MB / 4 layers: berth ${b.pull.toFixed(0)} ms, docker ${d.pull.toFixed(0)} ms, ratio ${(b.pull / d.pull).toFixed(2)} (target ≤ 0.6)`,
    );
    console.log(
      `push 200 MB / 4 layers: berth ${b.push.toFixed(0)} ms, docker ${d.push.toFixed(0)} ms, ratio ${(b.push / d.push).toFixed(2)} (target ≤ 1.0)`,
    );
  } finally {
    await berth.cleanup();
    await docker.stop();
    await reg.stop();
  }
}

void main();

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { dockerArchive, makeTar } from '../../test/foundation/archive.ts';
import { type PeerDocker, startDockerd } from '../../test/foundation/dockerd.ts';
import { dockerCli, ROOT, type RunResult, runAsync } from '../../test/helpers/daemon.ts';
import {
  anonKiB,
  median,
  type Podman,
  podmanPeer,
  type Row,
  rssKiB,
  series,
  startBerthd,
  timed,
} from '../lib/peers.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const WITH_DEBIAN = !args.includes('--no-debian');
const WITH_PODMAN = !args.includes('--no-podman');
/** Only `load`/`save` (busybox, Debian): skips 1,000 images, version, RSS and daemon start. */
const ONLY_ARCHIVES = args.includes('--only-archives');
/** Only the daemon start figures. */
const ONLY_START = args.includes('--only-start');
const BERTH = join(ROOT, 'bin/berth');
const DOCKER = dockerCli();

function must(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

const PODMAN_IMAGES_CAP_MS = 60_000;

/**
 * `docker images` against replay-server.ts, which answers at once with the
 * bytes berthd answered: what the docker CLI itself takes for the listing.
 */
async function cliFloor(socket: string, bodyFile: string): Promise<number> {
  const res = await new Promise<Buffer>((resolve, reject) => {
    request({ socketPath: socket, path: '/v1.47/images/json' }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
  writeFileSync(bodyFile, res);
  const replaySocket = `${bodyFile}.sock`;
  const server = spawn(process.execPath, [join(import.meta.dirname, 'replay-server.js'), replaySocket, bodyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise((r) => server.stdout.once('data', r));
    const env = { DOCKER_HOST: `unix://${replaySocket}` };
    return await series(RUNS + 2, () => timed(DOCKER, ['images'], env));
  } finally {
    server.kill();
  }
}

// ---------------------------------------------------------------- the run

const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function storeRows(): Promise<void> {
  const work = mkdtempSync('/tmp/berth-bench-');
  const b = await startBerthd(join(work, 'berth'));
  await new Promise((r) => setTimeout(r, 2000));
  const berthIdleFreshKiB = rssKiB(b.proc.pid as number);
  const berthAnonFreshKiB = anonKiB(b.proc.pid as number);
  let peer: PeerDocker | undefined;
  let podman: Podman | undefined;
  try {
    peer = await startDockerd({ dir: join(work, 'docker') });
    if (WITH_PODMAN) podman = podmanPeer(join(work, 'podman'));
    const denv = { DOCKER_HOST: peer.host, DOCKER_CONFIG: join(work, 'dcfg') };

    // Images to move around: busybox, and Debian from the debootstrap cache.
    must(await runAsync(BERTH, ['image', 'bootstrap', 'busybox'], b.env), 'bootstrap busybox');
    const images: Array<{ name: string; ref: string; file: string }> = [
      { name: 'busybox', ref: 'busybox:latest', file: join(work, 'busybox.tar') },
    ];
    if (WITH_DEBIAN) {
      log('bootstrap debian:bookworm (debootstrap on the first run, then cached)…');
      must(
        await runAsync(BERTH, ['image', 'bootstrap', 'debian:bookworm'], b.env, { timeoutMs: 1_800_000 }),
        'bootstrap debian',
      );
      images.push({ name: 'debian (~200 MB)', ref: 'debian:bookworm', file: join(work, 'debian.tar') });
    }
    for (const img of images) {
      must(await runAsync(BERTH, ['image', 'save', '-o', img.file, img.ref], b.env), `save ${img.ref}`);
      log(`${img.ref}: ${(statSync(img.file).size / 1e6).toFixed(1)} MB archive`);
    }

    for (const img of images) {
      log(`load/save ${img.ref}…`);
      const loadOnce = async (rm: () => Promise<unknown>, load: () => Promise<number>) => {
        await rm();
        return load();
      };
      const bl = await series(RUNS, () =>
        loadOnce(
          () => runAsync(DOCKER, ['rmi', '-f', img.ref], b.env),
          () => timed(DOCKER, ['load', '-i', img.file], b.env),
        ),
      );
      const dl = await series(RUNS, () =>
        loadOnce(
          () => runAsync(DOCKER, ['rmi', '-f', img.ref], denv),
          () => timed(DOCKER, ['load', '-i', img.file], denv),
        ),
      );
      const pl = podman
        ? await series(RUNS, () =>
            loadOnce(
              () => (podman as Podman).run(['rmi', '-f', img.ref]),
              async () => {
                const t0 = performance.now();
                must(await (podman as Podman).run(['load', '-q', '-i', img.file]), 'podman load');
                return performance.now() - t0;
              },
            ),
          )
        : undefined;
      rows.push({
        what: `load ${img.name}`,
        berth: bl,
        docker: dl,
        podman: pl,
        unit: 'ms',
        target: '≤ Podman',
        ok: pl === undefined || bl <= pl,
      });
      const out = join(work, 'out.tar');
      const saveOnce = async (f: () => Promise<number>) => {
        rmSync(out, { force: true });
        return f();
      };
      const bs = await series(RUNS, () => saveOnce(() => timed(DOCKER, ['save', '-o', out, img.ref], b.env)));
      const ds = await series(RUNS, () => saveOnce(() => timed(DOCKER, ['save', '-o', out, img.ref], denv)));
      const ps = podman
        ? await series(RUNS, () =>
            saveOnce(async () => {
              const t0 = performance.now();
              must(await (podman as Podman).run(['save', '-q', '-o', out, img.ref]), 'podman save');
              return performance.now() - t0;
            }),
          )
        : undefined;
      rmSync(out, { force: true });
      rows.push({
        what: `save ${img.name}`,
        berth: bs,
        docker: ds,
        podman: ps,
        unit: 'ms',
        target: '≤ Podman',
        ok: ps === undefined || bs <= ps,
      });
    }

    if (!ONLY_ARCHIVES) {
      // 1,000 images: distinct configs over one shared layer, one archive for all three.
      log('1,000 images…');
      const layer = await makeTar([{ name: 'n.txt', content: 'shared' }]);
      const many = await dockerArchive(
        Array.from({ length: 1000 }, (_, i) => ({
          tags: [`many/img${i}:1`],
          layers: [layer],
          labels: { n: String(i) },
        })),
      );
      const manyFile = join(work, 'many.tar');
      writeFileSync(manyFile, many.tar);
      must(await runAsync(DOCKER, ['load', '-q', '-i', manyFile], b.env, { timeoutMs: 600_000 }), 'berth load 1000');
      must(await runAsync(DOCKER, ['load', '-q', '-i', manyFile], denv, { timeoutMs: 600_000 }), 'docker load 1000');
      if (podman) must(await podman.run(['load', '-q', '-i', manyFile]), 'podman load 1000');
      const count = (await runAsync(DOCKER, ['images', '-q'], b.env)).stdout.split('\n').filter(Boolean).length;
      log(`berth lists ${count} images`);
      const bi = await series(RUNS + 2, () => timed(DOCKER, ['images'], b.env));
      const di = await series(RUNS + 2, () => timed(DOCKER, ['images'], denv));
      // Podman 4.3 takes minutes per `images` with 1,000 images here: one run, capped.
      let capped = false;
      const pi = podman
        ? await (async () => {
            const t0 = performance.now();
            const r = await (podman as Podman).run(['images'], PODMAN_IMAGES_CAP_MS);
            if (r.code !== 0) capped = true;
            return performance.now() - t0;
          })()
        : undefined;
      if (capped) log(`podman images did not finish within ${PODMAN_IMAGES_CAP_MS} ms (a lower bound)`);
      rows.push({
        what: `\`docker images\`, 1,000 images (Podman: 1 run${capped ? ', killed at the cap' : ''})`,
        berth: bi,
        docker: di,
        podman: pi,
        unit: 'ms',
        target: '< 100 ms',
        ok: bi < 100,
      });
      const floor = await cliFloor(b.socket, join(work, 'images.json'));
      rows.push({
        what: '`docker images`, 1,000 images, against a replay of berthd’s answer (the CLI alone)',
        berth: floor,
        unit: 'ms',
        target: '(info)',
        ok: true,
      });
      const bbi = await series(RUNS + 2, () => timed(BERTH, ['images'], b.env));
      rows.push({ what: '`berth images`, 1,000 images', berth: bbi, unit: 'ms', target: '(info)', ok: true });

      // Cold `berth version` (a new process each time; the page cache is warm).
      const bv = await series(RUNS * 2, () => timed(BERTH, ['version'], b.env));
      const dv = await series(RUNS * 2, () => timed(DOCKER, ['version'], denv));
      const pv = podman
        ? await series(RUNS * 2, async () => {
            const t0 = performance.now();
            must(await (podman as Podman).run(['version']), 'podman version');
            return performance.now() - t0;
          })
        : undefined;
      rows.push({
        what: '`berth version`, cold process',
        berth: bv,
        docker: dv,
        podman: pv,
        unit: 'ms',
        target: '< 100 ms',
        ok: bv < 100,
      });

      // Idle RSS: fresh, and after all of the above (busybox, Debian, 1,000 images loaded).
      await new Promise((r) => setTimeout(r, 3000));
      const berthAfter = rssKiB(b.proc.pid as number) / 1024;
      const berthAnonAfter = anonKiB(b.proc.pid as number) / 1024;
      const containerdPid = (() => {
        try {
          return Number(readFileSync(join(peer.dir, 'exec/containerd/containerd.pid'), 'utf8').trim());
        } catch {
          return 0;
        }
      })();
      const dockerRss = (rssKiB(peer.proc.pid as number) + (containerdPid ? rssKiB(containerdPid) : 0)) / 1024;
      rows.push({
        what: 'daemon idle RSS, fresh',
        berth: berthIdleFreshKiB / 1024,
        unit: 'MiB',
        target: '≤ 60 MiB',
        ok: berthIdleFreshKiB / 1024 <= 60,
      });
      rows.push({
        what: 'daemon idle RSS, after the loads (dockerd+containerd)',
        berth: berthAfter,
        docker: dockerRss,
        unit: 'MiB',
        target: '≤ 60 MiB',
        ok: berthAfter <= 60,
      });
      rows.push({
        what: 'berthd anonymous memory (RSS less node’s file pages), fresh / after the loads',
        berth: berthAnonAfter,
        unit: 'MiB',
        target: `(info; fresh ${(berthAnonFreshKiB / 1024).toFixed(1)} MiB)`,
        ok: true,
      });
    }
  } finally {
    await b.stop();
    await peer?.stop();
    podman?.stop();
  }

  rmSync(work, { recursive: true, force: true });
}

/**
 * Daemon start, on fresh roots each time: to the first /_ping, and for
 * berthd (which answers /_ping before its store is open) also to the first
 * answered /images/json. dockerd as shared/PEERS.md starts it, with its
 * default networking (docker0, iptables; the ~1 s the issue names), and
 * without it (--bridge=none --iptables=false), for comparison.
 */
async function startRows(): Promise<void> {
  log('daemon start…');
  const berth: { ping: number; ready: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const x = await startBerthd(mkdtempSync('/tmp/berth-bench-start-'));
    berth.push({ ping: x.startMs, ready: x.readyMs });
    await x.stop();
  }
  const dockerd = (network: boolean) =>
    series(Math.min(RUNS, 3), async () => {
      const x = await startDockerd({ network });
      const ms = x.startMs;
      await x.stop();
      return ms;
    });
  const dNet = await dockerd(true);
  const dBare = await dockerd(false);
  const bPing = median(berth.map((x) => x.ping));
  const bReady = median(berth.map((x) => x.ready));
  rows.push(
    {
      what: 'daemon start to first /_ping',
      berth: bPing,
      docker: dNet,
      unit: 'ms',
      target: '≤ 0.2 × dockerd',
      ok: bPing <= 0.2 * dNet,
    },
    { what: 'daemon start to first /images/json', berth: bReady, docker: dNet, unit: 'ms', target: '—', ok: true },
    {
      what: 'start to first /_ping vs dockerd --bridge=none --iptables=false',
      berth: bPing,
      docker: dBare,
      unit: 'ms',
      target: '—',
      ok: true,
    },
  );
}

async function main(): Promise<void> {
  if (!ONLY_START) await storeRows();
  if (!ONLY_ARCHIVES) await startRows();
  printTable();
}

function printTable(): void {
  const f = (v: number | undefined, unit: string) =>
    v === undefined ? '—' : `${v.toFixed(unit === 'MiB' ? 1 : 0)} ${unit}`;
  const r = (a: number, b: number | undefined) => (b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
  const out = [
    `Berth foundation bench — ${new Date().toISOString()}, medians of ${RUNS} runs (docker CLI ${DOCKER})`,
    '',
    '| what | Berth | Docker 20.10 | Podman 4.3 | Berth/Docker | Berth/Podman | target | met |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (x) =>
        `| ${x.what} | ${f(x.berth, x.unit)} | ${f(x.docker, x.unit)} | ${f(x.podman, x.unit)} | ${r(x.berth, x.docker)} | ${r(x.berth, x.podman)} | ${x.target} | ${x.ok ? 'yes' : 'NO'} |`,
    ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

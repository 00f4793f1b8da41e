/**
 * Issue 2's speed targets, side by side with Docker (Debian docker.io, its
 * dockerd started here on its own roots) and Podman (its own --root and
 * --runroot), in one run, as medians and ratios:
 *
 *   load / save of busybox and of a ~200 MB Debian image   Berth ≤ Podman
 *   daemon start to first /_ping                           Berth ≤ 0.2 × dockerd
 *   `berth version` from a cold process                    < 100 ms
 *   `docker images` with 1,000 images                      < 100 ms
 *   daemon idle RSS                                        ≤ 60 MiB
 *
 * Run as root after `npm run build`:
 *   node dist/bench/foundation/run.js [--runs N] [--no-debian] [--no-podman]
 * The Debian image comes from `berth image bootstrap debian:bookworm`
 * (debootstrap once, cached under /var/cache/berth).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerArchive, makeTar } from '../../test/foundation/archive.ts';
import { type PeerDocker, ping, startDockerd } from '../../test/foundation/dockerd.ts';
import { dockerCli, ROOT, type RunResult, runAsync } from '../../test/helpers/daemon.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const WITH_DEBIAN = !args.includes('--no-debian');
const WITH_PODMAN = !args.includes('--no-podman');
const BERTH = join(ROOT, 'bin/berth');
const DOCKER = dockerCli();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(cmd: string, a: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const r = await runAsync(cmd, a, env, { timeoutMs: 600_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${cmd} ${a.join(' ')} failed (${r.code}): ${r.stderr}`);
  return ms;
}

function must(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

// ---------------------------------------------------------------- Berth

interface Berthd {
  dir: string;
  socket: string;
  env: Record<string, string>;
  proc: ChildProcess;
  startMs: number;
  stop(): Promise<void>;
}

async function startBerthd(dir: string): Promise<Berthd> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'daemon.json'), '{}');
  const socket = join(dir, 'berth.sock');
  const t0 = performance.now();
  const proc = spawn(
    join(ROOT, 'bin/berthd'),
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--host',
      `unix://${socket}`,
      '--config-file',
      join(dir, 'daemon.json'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr?.on('data', (c) => (log += c));
  let startMs = 0;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`berthd exited: ${log}`);
    if (existsSync(socket) && (await ping(socket))) {
      startMs = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 30_000) throw new Error(`berthd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return {
    dir,
    socket,
    env: { DOCKER_HOST: `unix://${socket}`, BERTH_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'dcfg') },
    proc,
    startMs,
    async stop() {
      if (proc.exitCode === null) {
        const e = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await e;
      }
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- Podman

const PODMAN_IMAGES_CAP_MS = 60_000;

interface Podman {
  run(a: string[], timeoutMs?: number): Promise<RunResult>;
  stop(): void;
}

function podmanPeer(dir: string): Podman {
  if (!existsSync('/usr/bin/podman'))
    throw new Error("podman not found: install it with 'apt-get install -y --no-install-recommends podman'");
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'cni'), { recursive: true });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n');
  const base = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--network-config-dir',
    join(dir, 'cni'),
    '--events-backend',
    'file',
    '--cgroup-manager',
    'cgroupfs',
  ];
  return {
    run: (a, timeoutMs = 600_000) =>
      runAsync('/usr/bin/podman', [...base, ...a], { CONTAINERS_CONF: conf }, { timeoutMs }),
    stop() {
      // Not `podman system reset`: with 1,000 images it runs for many minutes. Its storage is all under `dir`.
      spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- the run

interface Row {
  what: string;
  berth: number;
  docker?: number;
  podman?: number;
  unit: string;
  target: string;
  ok: boolean;
}

const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function series(n: number, f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await f());
  return median(xs);
}

async function main(): Promise<void> {
  const work = mkdtempSync('/tmp/berth-bench-');
  const b = await startBerthd(join(work, 'berth'));
  const berthIdleFreshKiB = await (async () => {
    await new Promise((r) => setTimeout(r, 2000));
    return rssKiB(b.proc.pid as number);
  })();
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

    // 1,000 images: distinct configs over one shared layer, one archive for all three.
    log('1,000 images…');
    const layer = await makeTar([{ name: 'n.txt', content: 'shared' }]);
    const many = await dockerArchive(
      Array.from({ length: 1000 }, (_, i) => ({ tags: [`many/img${i}:1`], layers: [layer], labels: { n: String(i) } })),
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
  } finally {
    await b.stop();
    await peer?.stop();
    podman?.stop();
  }

  // Daemon start to first /_ping, on fresh roots each time.
  log('daemon start…');
  const bStart = await series(RUNS, async () => {
    const x = await startBerthd(mkdtempSync('/tmp/berth-bench-start-'));
    const ms = x.startMs;
    await x.stop();
    return ms;
  });
  const dStart = await series(Math.min(RUNS, 3), async () => {
    const x = await startDockerd();
    const ms = x.startMs;
    await x.stop();
    return ms;
  });
  rows.push({
    what: 'daemon start to first /_ping',
    berth: bStart,
    docker: dStart,
    unit: 'ms',
    target: '≤ 0.2 × dockerd',
    ok: bStart <= 0.2 * dStart,
  });
  rmSync(work, { recursive: true, force: true });
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

/**
 * Issue 4's speed targets, side by side with Docker (Debian docker.io's
 * dockerd 20.10) and Podman 4.3 (CNI), each started here on its own roots,
 * in one run:
 *
 *   network setup: `run --rm busybox true` on a bridge network minus the
 *   same with `--network none`                          Berth ≤ 30 ms
 *   a published port on 127.0.0.1: req/s, MiB/s        Berth ≥ Docker
 *   latency per request (p50, p99)                      Berth ≤ Docker
 *
 * Docker runs as the shared peer does (`--bridge=none --iptables=false
 * --ip-forward=false`), so that it leaves the host's FORWARD policy and
 * bridges alone while other work runs on this machine. Its bridge figures
 * therefore come from a user-defined bridge network (`docker network create
 * --subnet …`): the same per-container work as its default bridge (veth,
 * addresses, routes) plus its embedded DNS, minus per-container iptables
 * rules, which Docker adds only for published ports. Its published port goes
 * through docker-proxy (the userland proxy, on by default); Berth's through
 * DNAT; Podman's through CNI's portmap (DNAT). Berth is measured on its
 * default `bridge` and on a user network; Podman on its default CNI network.
 *
 * The HTTP servers run in busybox containers, the same on every engine:
 *   - a keep-alive server: the host's Node binary, bind-mounted read-only
 *     with the host's libraries and started through their ld.so;
 *   - busybox `httpd`, which closes every connection after one response
 *     (so each request pays a connect through the port mapping), driven
 *     with one connection at a time (its backlog is 9, see PEERS.md).
 * Responses are 3 bytes (latency, req/s) or 1 MiB (MiB/s). Load: wrk on the
 * host, against 127.0.0.1.
 *
 *   npm run build && node dist/bench/networks/run.js [--runs N] [--seconds S] [--rounds R] [--no-podman]
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { dockerCli, type RunResult, runAsync } from '../../test/helpers/daemon.ts';
import { median, podmanPeer, printRows, type Row, startBerthd, startDockerd } from '../lib/peers.ts';
import { removeCniLeftovers, removeDockerLeftovers, snapshotHost, stopBerthdClean } from './host.ts';
import { seedBusybox } from './images.ts';
import { type WrkResult, waitHttp, wrk } from './wrk.ts';

const args = process.argv.slice(2);
const opt = (name: string, d: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || d : d);
const RUNS = opt('--runs', 15);
const SECONDS = opt('--seconds', 5);
const ROUNDS = opt('--rounds', 3);
const WITH_PODMAN = !args.includes('--no-podman');
const DOCKER = dockerCli();
const HOSTLIB = '/usr/lib/x86_64-linux-gnu';
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Engine {
  name: string;
  cli(a: string[]): Promise<RunResult>;
  /** `run` flags of its bridge cases, by label; `none` is added by the benchmark. */
  bridges: Record<string, string[]>;
  /** `run` flags that put the port benchmark's servers on a bridge. */
  serverNet: string[];
}

async function ok(e: Engine, a: string[]): Promise<string> {
  const r = await e.cli(a);
  if (r.code !== 0) throw new Error(`${e.name} ${a.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Medians of `run --rm busybox true` per engine and case; engines and cases
 * take turns run by run, so that the machine's drift falls on all alike.
 */
async function setupCost(engines: Engine[]): Promise<Record<string, Record<string, number>>> {
  const cases = (e: Engine) => Object.entries({ ...e.bridges, none: ['--network', 'none'] });
  const times: Record<string, Record<string, number[]>> = {};
  for (const e of engines) {
    times[e.name] = {};
    for (const [label, flags] of cases(e)) {
      await ok(e, ['run', '--rm', ...flags, 'busybox', 'true']);
      times[e.name][label] = [];
    }
  }
  for (let i = 0; i < RUNS; i++) {
    for (const e of engines) {
      for (const [label, flags] of cases(e)) {
        const t0 = performance.now();
        await ok(e, ['run', '--rm', ...flags, 'busybox', 'true']);
        times[e.name][label].push(performance.now() - t0);
      }
    }
  }
  const out: Record<string, Record<string, number>> = {};
  for (const e of engines) {
    out[e.name] = {};
    for (const [label, xs] of Object.entries(times[e.name])) out[e.name][label] = median(xs);
    log(
      `${e.name}: ${Object.entries(out[e.name])
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(', ')}`,
    );
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Files the servers serve, and the keep-alive server's script. */
function makeWww(dir: string): string {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'small'), 'ok\n');
  writeFileSync(join(www, 'big'), Buffer.alloc(1 << 20, 97));
  writeFileSync(
    join(www, 'server.js'),
    `const http = require('node:http');
const fs = require('node:fs');
const files = { '/small': fs.readFileSync('/www/small'), '/big': fs.readFileSync('/www/big') };
http.createServer((q, s) => {
  const b = files[q.url];
  if (!b) { s.writeHead(404, { 'content-length': 0 }); s.end(); return; }
  s.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length });
  s.end(b);
}).listen(8080);
`,
  );
  return www;
}

const LOADS = [
  { key: 'ka1', server: 'node', path: '/small', conns: 1 },
  { key: 'ka32', server: 'node', path: '/small', conns: 32 },
  { key: 'kabig', server: 'node', path: '/big', conns: 1 },
  { key: 'h1', server: 'httpd', path: '/small', conns: 1 },
  { key: 'hbig', server: 'httpd', path: '/big', conns: 1 },
] as const;
type LoadKey = (typeof LOADS)[number]['key'];

type Server = 'node' | 'httpd';

/** Where a load goes: an engine's published ports, or (reference) a container's own address. */
interface Target {
  name: string;
  base: Record<Server, string>;
}

/** Starts both servers on an engine; returns its published-port target and its direct one. */
async function startServers(e: Engine, www: string): Promise<[Target, Target]> {
  const node = process.execPath;
  const mounts = ['-v', `${HOSTLIB}:/hostlib:ro`, '-v', `${dirname(node)}:/node:ro`, '-v', `${www}:/www:ro`];
  const port: Record<Server, number> = { node: await freePort(), httpd: await freePort() };
  const run = ['run', '-d', ...e.serverNet, ...mounts];
  const cmd: Record<Server, string[]> = {
    node: ['/hostlib/ld-linux-x86-64.so.2', '--library-path', '/hostlib', '/node/node', '/www/server.js'],
    httpd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
  };
  const published = { name: e.name, base: {} } as Target;
  const direct = { name: `${e.name} direct`, base: {} } as Target;
  for (const s of ['node', 'httpd'] as const) {
    await ok(e, [...run, '--name', `bench-${s}`, '-p', `127.0.0.1:${port[s]}:8080`, 'busybox', ...cmd[s]]);
    const ip = (
      await ok(e, ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', `bench-${s}`])
    )
      .trim()
      .split(' ')[0];
    published.base[s] = `http://127.0.0.1:${port[s]}`;
    direct.base[s] = `http://${ip}:8080`;
    await waitHttp(`${published.base[s]}/small`);
  }
  return [published, direct];
}

function medianOf(rs: WrkResult[]): WrkResult {
  const m = (k: keyof WrkResult) => median(rs.map((r) => r[k]));
  return { rps: m('rps'), p50Us: m('p50Us'), p99Us: m('p99Us'), mibps: m('mibps'), errors: m('errors') };
}

/** Every load on every target, the targets taking turns round by round (the machine drifts); medians. */
async function measurePorts(targets: Target[]): Promise<Record<string, Record<LoadKey, WrkResult>>> {
  const out: Record<string, Record<LoadKey, WrkResult>> = {};
  for (const t of targets) out[t.name] = {} as Record<LoadKey, WrkResult>;
  for (const l of LOADS) {
    const rs: Record<string, WrkResult[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const t of targets) {
        const w = await wrk(`${t.base[l.server]}${l.path}`, { conns: l.conns, seconds: SECONDS });
        if (w.errors) log(`${t.name} ${l.key}: ${w.errors} errors`);
        rs[t.name].push(w);
      }
    }
    for (const t of targets) {
      const w = medianOf(rs[t.name]);
      out[t.name][l.key] = w;
      log(`${t.name} ${l.server} ${l.path} c${l.conns}: ${w.rps.toFixed(0)} req/s, p50 ${w.p50Us.toFixed(0)} µs, p99 ${w.p99Us.toFixed(0)} µs, ${w.mibps.toFixed(1)} MiB/s`); // biome-ignore format: one line
    }
  }
  return out;
}

/** Rows of the port table; with `suffix` ' direct', the reference figures (no target). */
function portRows(f: Record<string, Record<LoadKey, WrkResult>>, suffix = ''): Row[] {
  const ref = suffix !== '';
  const b = f[`berth${suffix}`];
  const d = f[`docker${suffix}`];
  const p = f[`podman${suffix}`] as Record<LoadKey, WrkResult> | undefined;
  const more = (what: string, k: LoadKey, m: 'rps' | 'mibps', unit: string): Row => ({
    what, berth: b[k][m], docker: d[k][m], podman: p?.[k][m], unit, target: ref ? '(reference)' : '≥ Docker', ok: ref || b[k][m] >= d[k][m],
  }); // biome-ignore format: one row
  const less = (what: string, k: LoadKey, m: 'p50Us' | 'p99Us'): Row => ({
    what, berth: b[k][m], docker: d[k][m], podman: p?.[k][m], unit: 'µs', target: ref ? '(reference)' : '≤ Docker', ok: ref || b[k][m] <= d[k][m],
  }); // biome-ignore format: one row
  return [
    more('keep-alive, 3 B, 1 connection: req/s', 'ka1', 'rps', 'req/s'),
    less('keep-alive, 3 B, 1 connection: p50', 'ka1', 'p50Us'),
    less('keep-alive, 3 B, 1 connection: p99', 'ka1', 'p99Us'),
    more('keep-alive, 3 B, 32 connections: req/s', 'ka32', 'rps', 'req/s'),
    less('keep-alive, 3 B, 32 connections: p99', 'ka32', 'p99Us'),
    more('keep-alive, 1 MiB, 1 connection', 'kabig', 'mibps', 'MiB/s'),
    more('busybox httpd (connection per request), 3 B: req/s', 'h1', 'rps', 'req/s'),
    less('busybox httpd (connection per request), 3 B: p50', 'h1', 'p50Us'),
    less('busybox httpd (connection per request), 3 B: p99', 'h1', 'p99Us'),
    more('busybox httpd, 1 MiB, 1 connection', 'hbig', 'mibps', 'MiB/s'),
  ];
}

function setupRows(s: Record<string, Record<string, number>>): Row[] {
  const { berth: b, docker: d } = s;
  const p = s.podman as Record<string, number> | undefined;
  return [
    { what: '`run --rm busybox true`, `--network none`', berth: b.none, docker: d.none, podman: p?.none, unit: 'ms', target: '—', ok: true },
    { what: '… on the default bridge', berth: b.bridge, docker: undefined, podman: p?.bridge, unit: 'ms', target: '—', ok: true },
    { what: '… on a user bridge network', berth: b.user, docker: d.user, podman: undefined, unit: 'ms', target: '—', ok: true },
    { what: 'network setup: default bridge − none', berth: b.bridge - b.none, docker: undefined, podman: p ? p.bridge - p.none : undefined, unit: 'ms', target: '≤ 30 ms', ok: b.bridge - b.none <= 30 },
    { what: 'network setup: user network − none', berth: b.user - b.none, docker: d.user - d.none, podman: undefined, unit: 'ms', target: '≤ 30 ms', ok: b.user - b.none <= 30 },
  ]; // biome-ignore format: table rows
}

async function main(): Promise<void> {
  if (!existsSync(join(HOSTLIB, 'ld-linux-x86-64.so.2'))) throw new Error(`no ${HOSTLIB}/ld-linux-x86-64.so.2`);
  const before = snapshotHost();
  const berthd = await startBerthd(mkdtempSync('/tmp/bench-berth-'));
  const docker = await startDockerd({ dir: mkdtempSync('/tmp/bench-dockerd-') });
  const podman = WITH_PODMAN ? podmanPeer(mkdtempSync('/tmp/bench-podman-')) : undefined;
  const www = makeWww(berthd.dir);
  // Subnets of their own, outside the 172.16/12 range that test daemons pick from.
  const octet = 100 + Math.floor(Math.random() * 100);
  try {
    await seedBusybox(berthd, [docker.docker, ...(podman ? [podman.run] : [])]);
    const engines: Engine[] = [
      {
        name: 'berth',
        cli: (a) => runAsync(DOCKER, a, berthd.env, { timeoutMs: 600_000 }),
        bridges: { bridge: [], user: ['--network', 'bn'] },
        serverNet: ['--network', 'bn'],
      },
      {
        name: 'docker',
        cli: (a) => docker.docker(a, { timeoutMs: 600_000 }),
        bridges: { user: ['--network', 'bn'] },
        serverNet: ['--network', 'bn'],
      },
    ];
    if (podman) engines.push({ name: 'podman', cli: podman.run, bridges: { bridge: [] }, serverNet: [] });
    await ok(engines[0], ['network', 'create', '--subnet', `10.213.${octet}.0/24`, 'bn']);
    await ok(engines[1], ['network', 'create', '--subnet', `10.213.${octet + 1}.0/24`, 'bn']);
    const inspect = ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', 'bridge'];
    log(`berth's default bridge: ${(await ok(engines[0], inspect)).trim()}`);

    const setup = await setupCost(engines);
    printRows(`Network setup (runs: ${RUNS}, ${new Date().toISOString()})`, setupRows(setup));

    const targets: Target[] = [];
    for (const e of engines) targets.push(...(await startServers(e, www)));
    const fig = await measurePorts(targets);
    process.stdout.write('\n');
    printRows(`Published port on 127.0.0.1 (wrk, ${SECONDS} s per load, median of ${ROUNDS} rounds)`, portRows(fig));
    process.stdout.write('\n');
    printRows(
      "Reference: straight to the container's address on its bridge (no port mapping)",
      portRows(fig, ' direct'),
    );
  } finally {
    await stopBerthdClean(berthd);
    await docker.docker(['rm', '-f', 'bench-node', 'bench-httpd']);
    await docker.docker(['network', 'rm', 'bn']);
    await docker.stop();
    await podman?.run(['rm', '-f', 'bench-node', 'bench-httpd']); // `system reset` leaves running containers
    podman?.stop();
    removeDockerLeftovers(before);
    removeCniLeftovers(before);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

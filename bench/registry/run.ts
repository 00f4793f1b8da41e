/**
 * Side-by-side benchmark: berth registry vs Debian's docker-registry (CNCF
 * distribution 2.8.2), started by this script in the same run.
 *   - manifest GET by tag, 50 connections (wrk, 10 s)
 *   - 100 MiB blob push (POST + streamed PATCH + PUT) and pull, MiB/s (best of 3)
 *   - idle RSS after start and one small push, the peak RSS while the blobs
 *     stream (sampled every 50 ms), RSS after the load, and once idle again
 * Berth is started as users start it: `bin/berth registry serve …`.
 * Run: npm run build && node dist/bench/registry/run.js
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/sys/native.ts';
import { makeImage, pushImage, req, sha256 } from '../../test/registry/helpers.ts';

const MiB = 1024 * 1024;

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await req(base, 'GET', '/v2/')).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base} did not start`);
}

async function rssMiB(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)![1]) / 1024;
}

function wrk(url: string, seconds = 10): number {
  const out = execFileSync(
    'wrk',
    ['-t2', '-c50', `-d${seconds}s`, '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', url],
    { encoding: 'utf8' },
  );
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) throw new Error(`wrk saw ${non2xx[1]} errors against ${url}`);
  return Number(m![1]);
}

function send(
  base: string,
  method: string,
  path: string,
  body: Buffer | undefined,
  headers: Record<string, string | number>,
) {
  const u = new URL(base);
  return new Promise<{ status: number; headers: Record<string, unknown>; bytes: number }>((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    });
    r.on('error', reject);
    if (body) {
      let off = 0;
      const step = () => {
        while (off < body.length) {
          const chunk = body.subarray(off, off + MiB);
          off += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', step);
        }
        r.end();
      };
      step();
    } else r.end();
  });
}

async function pushBig(base: string, blob: Buffer): Promise<number> {
  const t0 = performance.now();
  const start = await send(base, 'POST', '/v2/bench/big/blobs/uploads/', undefined, { 'Content-Length': 0 });
  const loc = new URL(String(start.headers.location), base);
  const patch = await send(base, 'PATCH', loc.pathname + loc.search, blob, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': blob.length,
  });
  const loc2 = new URL(String(patch.headers.location), base);
  const sep = loc2.search ? '&' : '?';
  const put = await send(base, 'PUT', `${loc2.pathname}${loc2.search}${sep}digest=${sha256(blob)}`, undefined, {
    'Content-Length': 0,
  });
  if (put.status !== 201) throw new Error(`push to ${base}: ${put.status}`);
  return blob.length / MiB / ((performance.now() - t0) / 1000);
}

async function pullBig(base: string, blob: Buffer): Promise<number> {
  const t0 = performance.now();
  const res = await send(base, 'GET', `/v2/bench/big/blobs/${sha256(blob)}`, undefined, {});
  if (res.status !== 200 || res.bytes !== blob.length) throw new Error(`pull from ${base}: ${res.status} ${res.bytes}`);
  return blob.length / MiB / ((performance.now() - t0) / 1000);
}

/** Samples a process's RSS every 50 ms until stopped; returns the peak. */
function rssSampler(pid: number): () => Promise<number> {
  let peak = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      peak = Math.max(peak, await rssMiB(pid));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return peak;
  };
}

interface Figures {
  idleRss: number;
  rps: number;
  wrkRss: number;
  push: number;
  pull: number;
  peakRss: number;
  loadRss: number;
  idleAfterRss: number;
}

async function measure(name: string, base: string, pid: number): Promise<Figures> {
  await waitReady(base);
  const img = makeImage('bench');
  const put = await pushImage(base, 'bench/app', 'v1', img);
  if (put.status !== 201) throw new Error(`${name}: manifest push ${put.status} ${put.body}`);
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = await rssMiB(pid);
  wrk(`${base}/v2/bench/app/manifests/v1`, 2);
  const rps = wrk(`${base}/v2/bench/app/manifests/v1`);
  const wrkRss = await rssMiB(pid);
  let push = 0;
  let pull = 0;
  const blob = Buffer.allocUnsafe(100 * MiB);
  const peak = rssSampler(pid);
  for (let i = 0; i < 3; i++) {
    randomFillSync(blob);
    // Writes back what is dirty first (distribution does not fsync, so its 300 MiB would otherwise be
    // written back by the kernel during the next registry's pushes, and Berth's fsync would wait for it).
    execFileSync('sync');
    push = Math.max(push, await pushBig(base, blob));
    pull = Math.max(pull, await pullBig(base, blob));
  }
  const peakRss = await peak();
  const loadRss = await rssMiB(pid);
  await new Promise((r) => setTimeout(r, 5000));
  const idleAfterRss = await rssMiB(pid);
  process.stdout.write(
    `${name}: manifest GET ${rps.toFixed(0)} req/s, push ${push.toFixed(0)} MiB/s, pull ${pull.toFixed(0)} MiB/s, RSS: idle ${idleRss.toFixed(1)} MiB, after wrk ${wrkRss.toFixed(1)} MiB, peak while blobs stream ${peakRss.toFixed(1)} MiB, after the load ${loadRss.toFixed(1)} MiB, idle 5 s later ${idleAfterRss.toFixed(1)} MiB\n`,
  );
  return { idleRss, rps, wrkRss, push, pull, peakRss, loadRss, idleAfterRss };
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-registry-'));
  const [pd, pb] = [5600 + Math.floor(Math.random() * 200), 5900 + Math.floor(Math.random() * 200)];
  await writeFile(
    join(dir, 'distribution.yml'),
    `version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage: { filesystem: { rootdirectory: ${join(dir, 'distribution')} }, delete: { enabled: true } }
http: { addr: 127.0.0.1:${pd} }
`,
  );
  const dist = spawn('docker-registry', ['serve', join(dir, 'distribution.yml')], { stdio: 'ignore' });
  const berth = spawn(
    join(projectRoot(), 'bin/berth'),
    ['registry', 'serve', '--root', join(dir, 'berth'), '--addr', `127.0.0.1:${pb}`, '--no-access-log'],
    { stdio: 'ignore' },
  );
  try {
    const d = await measure('distribution 2.8.2', `http://127.0.0.1:${pd}`, dist.pid!);
    const b = await measure('berth registry    ', `http://127.0.0.1:${pb}`, berth.pid!);
    process.stdout.write(
      `ratios (berth / distribution): manifest GET ${(b.rps / d.rps).toFixed(1)}x (target >= 10x), push ${(b.push / d.push).toFixed(2)}x, pull ${(b.pull / d.pull).toFixed(2)}x (targets >= 1x); berth idle RSS ${b.idleRss.toFixed(1)} MiB (target <= 64), peak while blobs stream ${b.peakRss.toFixed(1)} MiB, after the load ${b.loadRss.toFixed(1)} MiB (distribution: ${d.idleRss.toFixed(1)}, ${d.peakRss.toFixed(1)}, ${d.loadRss.toFixed(1)})\n`,
    );
  } finally {
    await Promise.all([stop(dist), stop(berth)]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

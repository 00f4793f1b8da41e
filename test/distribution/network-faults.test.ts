/**
 * A proxy between berthd and the registry: one that cuts the connection in
 * the middle of a layer (the pull resumes with Range), one that flips a byte
 * (the pull fails with a digest error and nothing is stored).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, listenLocal, startDistribution } from './peers.ts';

let d: TestDaemon;
let reg: Distribution;
let layer: { digest: string; size: number };

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface Proxy {
  host: string;
  ranges: string[];
  close(): Promise<void>;
}

/** Forwards to the registry; `fault` may rewrite or cut the body of the big layer. */
async function startProxy(fault: 'cut' | 'flip'): Promise<Proxy> {
  const [rh, rp] = reg.host.split(':');
  const ranges: string[] = [];
  let cut = false;
  const server: Server = createServer((req, res) => {
    const isLayer = req.method === 'GET' && req.url?.endsWith(`/blobs/${layer.digest}`);
    if (isLayer) ranges.push(String(req.headers.range ?? ''));
    const up = request(
      { host: rh, port: Number(rp), method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        if (!isLayer) {
          ur.pipe(res);
          return;
        }
        let sent = 0;
        ur.on('data', (c: Buffer) => {
          const at = sent;
          sent += c.length;
          if (fault === 'cut' && !cut && sent > layer.size / 2) {
            cut = true;
            res.write(c.subarray(0, Math.max(0, Math.floor(layer.size / 2) - at)));
            res.socket?.destroy();
            ur.destroy();
            return;
          }
          if (fault === 'flip' && at <= 1000 && sent > 1000) {
            const copy = Buffer.from(c);
            copy[1000 - at] ^= 0xff;
            res.write(copy);
            return;
          }
          res.write(c);
        });
        ur.on('end', () => res.end());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return { ...(await listenLocal(server)), ranges };
}

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  reg = await startDistribution();
  ok(d.docker(['tag', 'busybox:latest', `${reg.host}/test/app:1`]));
  const push = ok(await d.dockerAsync(['push', `${reg.host}/test/app:1`]));
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push)?.[1];
  const res = await fetch(`http://${reg.host}/v2/test/app/manifests/${digest}`, {
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  const m = (await res.json()) as { layers: { digest: string; size: number }[] };
  layer = m.layers.reduce((a, b) => (b.size > a.size ? b : a));
  assert.ok(layer.size > 100_000, `the layer should be big enough to cut: ${layer.size}`);
  ok(d.docker(['rmi', `${reg.host}/test/app:1`, 'busybox:latest']));
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
});

function blobStored(digest: string): boolean {
  return existsSync(join(d.dataRoot, 'content', 'blobs', 'sha256', digest.slice(7)));
}

test('a connection cut in the middle of a layer: the pull resumes with Range', async () => {
  const p = await startProxy('cut');
  try {
    const out = ok(await d.dockerAsync(['pull', `${p.host}/test/app:1`]));
    assert.match(out, /Pull complete/);
    assert.equal(p.ranges.length, 2, `two requests for the layer: ${p.ranges}`);
    assert.equal(p.ranges[0], '');
    assert.match(p.ranges[1], /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(p.ranges[1])?.[0]) > 0);
    assert.ok(blobStored(layer.digest));
    const run = d.docker(['run', '--rm', '--network', 'none', `${p.host}/test/app:1`, 'true']);
    assert.equal(run.code, 0, run.stderr);
    ok(d.docker(['rmi', `${p.host}/test/app:1`]));
    assert.equal(blobStored(layer.digest), false);
  } finally {
    await p.close();
  }
});

test('a flipped byte: the pull fails with a digest error and stores nothing', async () => {
  const p = await startProxy('flip');
  try {
    const r = await d.dockerAsync(['pull', `${p.host}/test/app:1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /digest|verification failed/i);
    assert.equal(blobStored(layer.digest), false);
    assert.notEqual(d.docker(['image', 'inspect', `${p.host}/test/app:1`]).code, 0);
    const ingests = readdirSync(join(d.dataRoot, 'content', 'ingest'));
    assert.deepEqual(ingests, [], 'no partial ingest is left');
  } finally {
    await p.close();
  }
});

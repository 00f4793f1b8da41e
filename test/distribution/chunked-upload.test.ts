/**
 * Issue 5: a registry that asks for chunked uploads (OCI-Chunk-Min-Length on
 * the POST that opens an upload) gets PATCH requests with Content-Range, in
 * order, and no monolithic PUT; the image pulls back the same. Without the
 * header the push stays monolithic.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { dockerArchive, makeTar } from '../foundation/archive.ts';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, listenLocal, startDistribution } from './peers.ts';

let d: TestDaemon;
let reg: Distribution;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  reg = await startDistribution();
  // 12 MB of random bytes: more than one 8 MiB chunk once gzipped
  const layer = await makeTar([{ name: 'random.bin', content: randomBytes(12 * 1024 * 1024) }]);
  const a = await dockerArchive([{ tags: ['big/random:1'], layers: [layer] }]);
  const r = await d.dockerAsync(['load'], { input: a.tar });
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
});

interface Seen {
  ranges: string[];
  monolithic: number;
}

/** Forwards to the registry, asking for chunks of `min` bytes when `min` is set, and refusing a PUT with a body. */
async function startProxy(min: number | undefined): Promise<{ host: string; seen: Seen; close(): Promise<void> }> {
  const [rh, rp] = reg.host.split(':');
  const seen: Seen = { ranges: [], monolithic: 0 };
  const server: Server = createServer((req, res) => {
    const upload = req.url?.includes('/blobs/uploads/');
    if (upload && req.method === 'PATCH') seen.ranges.push(String(req.headers['content-range'] ?? ''));
    if (upload && req.method === 'PUT' && Number(req.headers['content-length'] ?? 0) > 0) {
      seen.monolithic++;
      if (min) {
        req.resume();
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'use chunked uploads' }] }));
        return;
      }
    }
    const up = request(
      { host: rh, port: Number(rp), method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        const headers = { ...ur.headers };
        if (min && upload && req.method === 'POST') headers['oci-chunk-min-length'] = String(min);
        res.writeHead(ur.statusCode ?? 502, headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return { ...(await listenLocal(server)), seen };
}

test('a registry that asks for chunks gets PATCHes with Content-Range, and the image pulls back', async () => {
  const p = await startProxy(1024 * 1024);
  try {
    const img = `${p.host}/chunked/app:1`;
    assert.equal(d.docker(['tag', 'big/random:1', img]).code, 0);
    const push = await d.dockerAsync(['push', img]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.equal(p.seen.monolithic, 0, 'no monolithic PUT');
    const ranges = p.seen.ranges.map((r) => /^(\d+)-(\d+)$/.exec(r)).filter((m) => m !== null);
    assert.ok(ranges.length >= 2, `PATCHes with Content-Range: ${p.seen.ranges}`);
    assert.ok(
      ranges.some((m) => Number(m[1]) > 0),
      `a later chunk starts past 0: ${p.seen.ranges}`,
    );
    const id = d.docker(['image', 'inspect', '--format', '{{.Id}}', img]).stdout.trim();
    assert.equal(d.docker(['rmi', img]).code, 0);
    const pull = await d.dockerAsync(['pull', img]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(d.docker(['image', 'inspect', '--format', '{{.Id}}', img]).stdout.trim(), id);
    assert.equal(d.docker(['rmi', img]).code, 0);
  } finally {
    await p.close();
  }
});

test('without the header the push is monolithic', async () => {
  const p = await startProxy(undefined);
  try {
    const img = `${p.host}/mono/app:1`;
    assert.equal(d.docker(['tag', 'busybox:latest', img]).code, 0);
    const push = await d.dockerAsync(['push', img]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.ok(p.seen.monolithic >= 1, 'monolithic PUTs');
    assert.equal(d.docker(['rmi', img]).code, 0);
  } finally {
    await p.close();
  }
});

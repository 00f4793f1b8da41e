/** A chunked upload survives the registry (`berth registry serve`) being killed with `kill -9` and restarted. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, req, sha256, startRegistryProcess } from './helpers.ts';

test('resume an interrupted chunked upload after kill -9 and restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-kill-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const data = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  let child = await startRegistryProcess(dir, port);
  try {
    const start = await req(base, 'POST', '/v2/kill/test/blobs/uploads/');
    assert.equal(start.status, 202);
    const loc = start.headers.location as string;
    const cut = 2 * 1024 * 1024;
    const first = await req(base, 'PATCH', loc, {
      body: data.subarray(0, cut),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${cut - 1}` },
    });
    assert.equal(first.status, 202);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = await startRegistryProcess(dir, port);

    const status = await req(base, 'GET', loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, `0-${cut - 1}`, 'the registry remembers every byte it acknowledged');
    const again = await req(base, 'PATCH', loc, {
      body: data.subarray(0, 10),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '0-9' },
    });
    assert.equal(again.status, 416, 'a repeated chunk after restart is still refused');
    const rest = await req(base, 'PATCH', status.headers.location as string, {
      body: data.subarray(cut),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${cut}-${data.length - 1}` },
    });
    assert.equal(rest.status, 202);
    const done = await req(base, 'PUT', `${rest.headers.location}?digest=${sha256(data)}`);
    assert.equal(done.status, 201);
    const got = await req(base, 'GET', `/v2/kill/test/blobs/${sha256(data)}`);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(data));
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

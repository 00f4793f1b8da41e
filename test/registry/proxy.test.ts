/** Pull-through cache: one berth registry as the upstream of another. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { makeImage, pushImage, sha256, testRegistry } from './helpers.ts';

test('a proxy registry pulls through from its upstream (bearer auth) and serves from cache when it is gone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-proxy-'));
  await writeFile(join(dir, 'htpasswd'), `mirror:${bcrypt.hashSync('secret', 6)}\n`);
  const upstream = await testRegistry({
    auth: { htpasswd: { path: join(dir, 'htpasswd') }, token: { service: 'up' } },
  });
  const creds = { Authorization: `Basic ${Buffer.from('mirror:secret').toString('base64')}` };
  const proxy = await testRegistry({ proxy: { remoteurl: upstream.url, username: 'mirror', password: 'secret' } });
  try {
    const img = makeImage('proxied');
    const tr = await upstream.call('GET', '/auth/token?service=up&scope=repository:lib/app:pull,push', {
      headers: creds,
    });
    const bearer = { Authorization: `Bearer ${tr.json().token}` };
    assert.equal((await pushImage(upstream.url, 'lib/app', 'v1', img, { headers: bearer })).status, 201);

    const m = await proxy.call('GET', '/v2/lib/app/manifests/v1');
    assert.equal(m.status, 200);
    assert.deepEqual(m.body, img.manifest);
    assert.equal(m.headers['docker-content-digest'], img.digest);
    for (const b of [img.config, ...img.layers]) {
      const head = await proxy.call('HEAD', `/v2/lib/app/blobs/${sha256(b)}`);
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers['content-length']), b.length);
      const got = await proxy.call('GET', `/v2/lib/app/blobs/${sha256(b)}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, b);
    }
    const ranged = await proxy.call('GET', `/v2/lib/app/blobs/${sha256(img.layers[1])}`, {
      headers: { Range: 'bytes=0-3' },
    });
    assert.equal(ranged.status, 206);

    const push = await proxy.call('POST', '/v2/lib/app/blobs/uploads/');
    assert.equal(push.status, 405, 'a cache takes no pushes');
    assert.equal((await proxy.call('GET', '/v2/lib/app/manifests/missing')).status, 404);

    await upstream.close();
    const cached = await proxy.call('GET', '/v2/lib/app/manifests/v1');
    assert.equal(cached.status, 200, 'served from the cache with the upstream gone');
    assert.deepEqual(cached.body, img.manifest);
    const blob = await proxy.call('GET', `/v2/lib/app/blobs/${sha256(img.layers[0])}`);
    assert.deepEqual(blob.body, img.layers[0]);
    assert.equal((await proxy.call('GET', `/v2/lib/app/blobs/${sha256('never fetched')}`)).status, 404);
  } finally {
    await proxy.dispose();
    await upstream.dispose().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

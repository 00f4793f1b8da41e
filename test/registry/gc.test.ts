/** Garbage collection removes exactly the unreferenced blobs, and never one a racing push needs. */
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { blobDataKey } from '../../src/registry/layout.ts';
import { makeImage, pushBlob, pushImage, req, sha256, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
before(async () => {
  r = await testRegistry();
});
after(() => r.dispose());

/** Makes a blob look old, as if pushed before the sweep started. */
async function age(d: string): Promise<void> {
  const t = new Date(Date.now() - 3600_000);
  await utimes(join(r.root, 'data', blobDataKey(d as `sha256:${string}`)), t, t);
}

async function stored(d: string): Promise<boolean> {
  return (await r.registry.blobs.size(d as `sha256:${string}`)) !== undefined;
}

test('GC deletes exactly the blobs no manifest references', async () => {
  const kept = makeImage('gc-kept');
  const index = makeImage('gc-child');
  await pushImage(r.url, 'gc/a', 'v1', kept);
  await pushImage(r.url, 'gc/b', index.digest, index);
  const idx = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: index.digest, size: index.manifest.length },
      ],
    }),
  );
  assert.equal(
    (
      await r.call('PUT', '/v2/gc/b/manifests/multi', {
        body: idx,
        headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
      })
    ).status,
    201,
  );
  const gone = makeImage('gc-gone');
  await pushImage(r.url, 'gc/c', 'v1', gone);
  assert.equal((await r.call('DELETE', `/v2/gc/c/manifests/${gone.digest}`)).status, 202);
  const orphan = await pushBlob(r.url, 'gc/a', 'orphan blob');
  const shared = sha256(kept.layers[0]);

  const live = [
    kept.digest,
    sha256(kept.config),
    ...kept.layers.map(sha256),
    index.digest,
    sha256(idx),
    ...index.layers.map(sha256),
    sha256(index.config),
  ];
  const dead = [gone.digest, sha256(gone.config), ...gone.layers.map(sha256), orphan];
  for (const d of [...live, ...dead]) await age(d);

  const res = await r.gc();
  assert.deepEqual([...res.deleted].sort(), [...dead].sort());
  for (const d of live) assert.ok(await stored(d), `live ${d} kept`);
  for (const d of dead) assert.ok(!(await stored(d)), `dead ${d} deleted`);
  assert.ok(await stored(shared));
  const pull = await r.call('GET', '/v2/gc/a/manifests/v1');
  assert.equal(pull.status, 200);
  const again = await r.gc();
  assert.deepEqual(again.deleted, [], 'a second run finds nothing');
});

test('blobs pushed shortly before or during the sweep are kept (a push in flight)', async () => {
  const recent = await pushBlob(r.url, 'gc/d', 'recent unreferenced blob');
  let during = '';
  const res = await r.gc({
    afterMark: async () => {
      during = await pushBlob(r.url, 'gc/d', 'pushed during the sweep');
    },
  });
  assert.ok(!res.deleted.includes(recent as `sha256:${string}`));
  assert.ok(await stored(recent));
  assert.ok(await stored(during));
  const strict = await r.gc({ graceMs: 0 });
  assert.ok(strict.deleted.includes(recent as `sha256:${string}`), 'without grace the unreferenced blob goes');
});

test('a push racing the sweep never loses a blob', async () => {
  const img = makeImage('gc-race');
  for (const b of [img.config, ...img.layers]) await pushBlob(r.url, 'gc/race', b);
  for (const b of [img.config, ...img.layers]) await age(sha256(b));
  // Between mark and sweep, a client checks the blobs (HEAD says present), so it will not upload them again.
  const res = await r.gc({
    afterMark: async () => {
      for (const b of [img.config, ...img.layers]) {
        assert.equal((await req(r.url, 'HEAD', `/v2/gc/race/blobs/${sha256(b)}`)).status, 200);
      }
    },
  });
  for (const b of [img.config, ...img.layers]) assert.ok(!res.deleted.includes(sha256(b)));
  const put = await r.call('PUT', '/v2/gc/race/manifests/v1', {
    body: img.manifest,
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(put.status, 201, 'the manifest finds every blob the client was told exists');
  for (const b of [img.config, ...img.layers])
    assert.equal((await r.call('GET', `/v2/gc/race/blobs/${sha256(b)}`)).status, 200);
});

test('many concurrent pushes during a sweep all complete intact', async () => {
  const imgs = Array.from({ length: 8 }, (_, i) => makeImage(`gc-concurrent-${i}`));
  for (let i = 0; i < 20; i++) await age(await pushBlob(r.url, 'gc/junk', `junk ${i}`));
  const [gcRes, ...pushes] = await Promise.all([
    r.gc(),
    ...imgs.map((img, i) => pushImage(r.url, `gc/c${i}`, 'v1', img)),
  ]);
  for (const p of pushes) assert.equal(p.status, 201);
  assert.ok(gcRes.deleted.length >= 20);
  for (const [i, img] of imgs.entries()) {
    for (const b of [img.config, ...img.layers])
      assert.equal((await r.call('GET', `/v2/gc/c${i}/blobs/${sha256(b)}`)).status, 200);
  }
});

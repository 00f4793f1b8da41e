/** Conformance workflow 4, content management: delete tags, manifests and blobs. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeImage, pushImage, sha256, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
before(async () => {
  r = await testRegistry();
});
after(() => r.dispose());

test('delete a tag: 202, then the tag is 404 and the manifest stays', async () => {
  const img = makeImage('mgmt-tag');
  await pushImage(r.url, 'mg', 'keep', img);
  await pushImage(r.url, 'mg', 'drop', img);
  const del = await r.call('DELETE', '/v2/mg/manifests/drop');
  assert.equal(del.status, 202);
  assert.equal((await r.call('GET', '/v2/mg/manifests/drop')).status, 404);
  assert.equal((await r.call('GET', '/v2/mg/manifests/keep')).status, 200);
  assert.equal((await r.call('GET', `/v2/mg/manifests/${img.digest}`)).status, 200);
  assert.equal((await r.call('DELETE', '/v2/mg/manifests/drop')).status, 404);
});

test('delete a manifest by digest: 202, then the digest and every tag to it are 404', async () => {
  const img = makeImage('mgmt-digest');
  await pushImage(r.url, 'mg2', 't1', img);
  await pushImage(r.url, 'mg2', 't2', img);
  const del = await r.call('DELETE', `/v2/mg2/manifests/${img.digest}`);
  assert.equal(del.status, 202);
  for (const ref of [img.digest, 't1', 't2']) {
    const res = await r.call('GET', `/v2/mg2/manifests/${ref}`);
    assert.equal(res.status, 404, ref);
    assert.equal(res.json().errors[0].code, 'MANIFEST_UNKNOWN');
  }
  assert.deepEqual((await r.call('GET', '/v2/mg2/tags/list')).json().tags, []);
  assert.equal((await r.call('DELETE', `/v2/mg2/manifests/${img.digest}`)).status, 404);
  assert.equal((await r.call('DELETE', `/v2/never/manifests/${img.digest}`)).status, 404, 'unknown repository');
});

test('delete a blob: 202, then 404; unknown blob 404', async () => {
  const img = makeImage('mgmt-blob');
  await pushImage(r.url, 'mg3', 'x', img);
  const d = sha256(img.layers[0]);
  const del = await r.call('DELETE', `/v2/mg3/blobs/${d}`);
  assert.equal(del.status, 202);
  const get = await r.call('GET', `/v2/mg3/blobs/${d}`);
  assert.equal(get.status, 404);
  assert.equal(get.json().errors[0].code, 'BLOB_UNKNOWN');
  assert.equal((await r.call('DELETE', `/v2/mg3/blobs/${d}`)).status, 404);
});

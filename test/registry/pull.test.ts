/** Conformance workflow 1, pull: manifests and blobs by tag and digest, GET and HEAD, Range. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeImage, pushImage, sha256, type TestImage, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
let img: TestImage;
before(async () => {
  r = await testRegistry();
  img = makeImage('pull');
  assert.equal((await pushImage(r.url, 'team/app', 'v1', img)).status, 201);
});
after(() => r.dispose());

test('GET /v2/ answers 200 with the API version header', async () => {
  const res = await r.call('GET', '/v2/');
  assert.equal(res.status, 200);
  assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
});

test('manifest by tag and by digest: GET gives the exact bytes, type and digest', async () => {
  for (const ref of ['v1', img.digest]) {
    const res = await r.call('GET', `/v2/team/app/manifests/${ref}`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, img.manifest);
    assert.equal(res.headers['content-type'], 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(res.headers['docker-content-digest'], img.digest);
  }
});

test('manifest HEAD gives headers and no body', async () => {
  const res = await r.call('HEAD', '/v2/team/app/manifests/v1');
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 0);
  assert.equal(Number(res.headers['content-length']), img.manifest.length);
  assert.equal(res.headers['docker-content-digest'], img.digest);
});

test('unknown manifests are 404 MANIFEST_UNKNOWN, by tag and by digest', async () => {
  for (const ref of ['nope', sha256('nothing')]) {
    for (const m of ['GET', 'HEAD']) {
      const res = await r.call(m, `/v2/team/app/manifests/${ref}`);
      assert.equal(res.status, 404);
      if (m === 'GET') assert.equal(res.json().errors[0].code, 'MANIFEST_UNKNOWN');
    }
  }
  const other = await r.call('GET', `/v2/team/other/manifests/v1`);
  assert.equal(other.status, 404);
});

test('blobs: GET and HEAD by digest, Docker-Content-Digest, 404 BLOB_UNKNOWN', async () => {
  const layer = img.layers[0];
  const d = sha256(layer);
  const get = await r.call('GET', `/v2/team/app/blobs/${d}`);
  assert.equal(get.status, 200);
  assert.deepEqual(get.body, layer);
  assert.equal(get.headers['docker-content-digest'], d);
  const head = await r.call('HEAD', `/v2/team/app/blobs/${d}`);
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), layer.length);
  assert.equal(head.body.length, 0);
  const missing = await r.call('GET', `/v2/team/app/blobs/${sha256('missing')}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json().errors[0].code, 'BLOB_UNKNOWN');
  const otherRepo = await r.call('HEAD', `/v2/team/other/blobs/${d}`);
  assert.equal(otherRepo.status, 404, 'a blob is visible only in the repositories it was pushed or mounted to');
});

test('blobs: Range requests give 206 with Content-Range', async () => {
  const layer = img.layers[0];
  const d = sha256(layer);
  const res = await r.call('GET', `/v2/team/app/blobs/${d}`, { headers: { Range: 'bytes=2-5' } });
  assert.equal(res.status, 206);
  assert.equal(res.body.toString(), layer.subarray(2, 6).toString());
  assert.equal(res.headers['content-range'], `bytes 2-5/${layer.length}`);
  const tail = await r.call('GET', `/v2/team/app/blobs/${d}`, { headers: { Range: 'bytes=-3' } });
  assert.equal(tail.status, 206);
  assert.equal(tail.body.toString(), layer.subarray(layer.length - 3).toString());
});

test('a manifest can also be fetched through the blobs endpoint', async () => {
  const res = await r.call('GET', `/v2/team/app/blobs/${img.digest}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, img.manifest);
});

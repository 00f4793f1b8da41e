/** Conformance workflow 2, push: every way to upload a blob, manifests, mounts, 416s. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeImage, pushBlob, sha256, sha512, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
before(async () => {
  r = await testRegistry();
});
after(() => r.dispose());

const OCTET = { 'Content-Type': 'application/octet-stream' };

async function startSession(name: string): Promise<string> {
  const res = await r.call('POST', `/v2/${name}/blobs/uploads/`, { headers: { 'Content-Length': 0 } });
  assert.equal(res.status, 202);
  assert.ok(res.headers.location);
  assert.ok(res.headers['docker-upload-uuid']);
  return res.headers.location as string;
}

async function assertBlob(name: string, data: Buffer | string, d: string = sha256(data)): Promise<void> {
  const res = await r.call('GET', `/v2/${name}/blobs/${d}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, Buffer.from(data));
}

test('monolithic single POST with ?digest= gives 201 and a pullable Location', async () => {
  const data = Buffer.from('monolithic single post');
  const d = sha256(data);
  const res = await r.call('POST', `/v2/p/blobs/uploads/?digest=${d}`, { body: data, headers: OCTET });
  assert.equal(res.status, 201);
  assert.equal(res.headers.location, `/v2/p/blobs/${d}`);
  assert.equal(res.headers['docker-content-digest'], d);
  await assertBlob('p', data);
});

test('POST then PUT with the whole blob', async () => {
  const data = Buffer.from('post then put');
  const loc = await startSession('p');
  const res = await r.call('PUT', `${loc}?digest=${sha256(data)}`, { body: data, headers: OCTET });
  assert.equal(res.status, 201);
  assert.equal(res.headers.location, `/v2/p/blobs/${sha256(data)}`);
  await assertBlob('p', data);
});

test('chunked PATCHes with Content-Range, status GET, closing PUT without body', async () => {
  const data = Buffer.from('0123456789abcdefghij');
  let loc = await startSession('p');
  let res = await r.call('PATCH', loc, { body: data.subarray(0, 8), headers: { ...OCTET, 'Content-Range': '0-7' } });
  assert.equal(res.status, 202);
  assert.equal(res.headers.range, '0-7');
  loc = res.headers.location as string;
  const status = await r.call('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-7');
  assert.ok(status.headers.location);
  res = await r.call('PATCH', loc, { body: data.subarray(8, 15), headers: { ...OCTET, 'Content-Range': '8-14' } });
  assert.equal(res.status, 202);
  assert.equal(res.headers.range, '0-14');
  res = await r.call('PUT', `${res.headers.location}?digest=${sha256(data.subarray(0, 15))}`);
  assert.equal(res.status, 201);
  await assertBlob('p', data.subarray(0, 15));
});

test('final chunk in the closing PUT', async () => {
  const data = Buffer.from('chunk-one|chunk-two');
  const loc = await startSession('p');
  let res = await r.call('PATCH', loc, { body: data.subarray(0, 10), headers: { ...OCTET, 'Content-Range': '0-9' } });
  assert.equal(res.status, 202);
  res = await r.call('PUT', `${loc}?digest=${sha256(data)}`, {
    body: data.subarray(10),
    headers: { ...OCTET, 'Content-Range': `10-${data.length - 1}` },
  });
  assert.equal(res.status, 201);
  await assertBlob('p', data);
});

test('streamed PATCH without Content-Range (chunked transfer encoding)', async () => {
  const data = Buffer.from('streamed upload body '.repeat(100));
  const loc = await startSession('p');
  let res = await r.call('PATCH', loc, { body: data, headers: OCTET, chunked: true });
  assert.equal(res.status, 202);
  assert.equal(res.headers.range, `0-${data.length - 1}`);
  res = await r.call('PUT', `${loc}?digest=${sha256(data)}`);
  assert.equal(res.status, 201);
  await assertBlob('p', data);
});

test('416 for an out-of-order chunk and for a repeated chunk; the upload stays usable', async () => {
  const data = Buffer.from('AAAABBBBCCCC');
  const loc = await startSession('p');
  let res = await r.call('PATCH', loc, { body: data.subarray(4, 8), headers: { ...OCTET, 'Content-Range': '4-7' } });
  assert.equal(res.status, 416, 'first chunk must start at 0');
  assert.equal(res.headers.range, '0-0');
  res = await r.call('PATCH', loc, { body: data.subarray(0, 4), headers: { ...OCTET, 'Content-Range': '0-3' } });
  assert.equal(res.status, 202);
  res = await r.call('PATCH', loc, { body: data.subarray(0, 4), headers: { ...OCTET, 'Content-Range': '0-3' } });
  assert.equal(res.status, 416, 'repeated chunk');
  assert.equal(res.headers.range, '0-3');
  res = await r.call('PATCH', loc, { body: data.subarray(8, 12), headers: { ...OCTET, 'Content-Range': '8-11' } });
  assert.equal(res.status, 416, 'gap');
  const status = await r.call('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-3');
  res = await r.call('PATCH', loc, { body: data.subarray(4), headers: { ...OCTET, 'Content-Range': '4-11' } });
  assert.equal(res.status, 202);
  res = await r.call('PUT', `${loc}?digest=${sha256(data)}`);
  assert.equal(res.status, 201);
  await assertBlob('p', data);
});

test('cancel with DELETE gives 204, then the upload is unknown', async () => {
  const loc = await startSession('p');
  await r.call('PATCH', loc, { body: 'abc', headers: { ...OCTET, 'Content-Range': '0-2' } });
  const del = await r.call('DELETE', loc);
  assert.equal(del.status, 204);
  const status = await r.call('GET', loc);
  assert.equal(status.status, 404);
  assert.equal(status.json().errors[0].code, 'BLOB_UPLOAD_UNKNOWN');
  const patch = await r.call('PATCH', loc, { body: 'd', headers: OCTET });
  assert.equal(patch.status, 404);
});

test('sha512 digests: monolithic and chunked', async () => {
  const data = Buffer.from('sha512 content');
  const d = sha512(data);
  let res = await r.call('POST', `/v2/p/blobs/uploads/?digest=${d}`, { body: data, headers: OCTET });
  assert.equal(res.status, 201);
  await assertBlob('p', data, d);
  const data2 = Buffer.from('sha512 chunked content');
  const loc = await startSession('p');
  res = await r.call('PATCH', loc, { body: data2, headers: { ...OCTET, 'Content-Range': `0-${data2.length - 1}` } });
  res = await r.call('PUT', `${loc}?digest=${sha512(data2)}`);
  assert.equal(res.status, 201);
  await assertBlob('p', data2, sha512(data2));
});

test('cross-repository mount with from, and mount without from', async () => {
  const data = Buffer.from('mountable blob');
  const d = await pushBlob(r.url, 'src/repo', data);
  let res = await r.call('POST', `/v2/dst/one/blobs/uploads/?mount=${d}&from=src/repo`);
  assert.equal(res.status, 201);
  assert.equal(res.headers.location, `/v2/dst/one/blobs/${d}`);
  await assertBlob('dst/one', data);
  res = await r.call('POST', `/v2/dst/two/blobs/uploads/?mount=${d}`);
  assert.equal(res.status, 201);
  await assertBlob('dst/two', data);
  res = await r.call('POST', `/v2/dst/three/blobs/uploads/?mount=${sha256('absent')}&from=src/repo`);
  assert.equal(res.status, 202, 'a mount that cannot happen starts an upload session');
  assert.ok(res.headers.location);
  res = await r.call('POST', `/v2/dst/four/blobs/uploads/?mount=${d}&from=dst/nowhere`);
  assert.equal(res.status, 202, 'the blob is not in "from"');
});

test('manifest push by tag and by digest: 201, Location, Docker-Content-Digest', async () => {
  const img = makeImage('push-m');
  for (const b of [img.config, ...img.layers]) await pushBlob(r.url, 'm', b);
  const headers = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' };
  let res = await r.call('PUT', '/v2/m/manifests/latest', { body: img.manifest, headers });
  assert.equal(res.status, 201);
  assert.equal(res.headers.location, `/v2/m/manifests/${img.digest}`);
  assert.equal(res.headers['docker-content-digest'], img.digest);
  res = await r.call('PUT', `/v2/m/manifests/${img.digest}`, { body: img.manifest, headers });
  assert.equal(res.status, 201);
  const got = await r.call('GET', '/v2/m/manifests/latest');
  assert.deepEqual(got.body, img.manifest);
});

test('Docker schema 2 manifests and manifest lists', async () => {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const layer = Buffer.from('docker layer');
  await pushBlob(r.url, 'docker', config);
  await pushBlob(r.url, 'docker', layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) },
      ],
    }),
  );
  let res = await r.call('PUT', '/v2/docker/manifests/amd64', {
    body: manifest,
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  assert.equal(res.status, 201);
  const list = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          size: manifest.length,
          digest: sha256(manifest),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    }),
  );
  res = await r.call('PUT', '/v2/docker/manifests/multi', {
    body: list,
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.list.v2+json' },
  });
  assert.equal(res.status, 201);
  const got = await r.call('GET', '/v2/docker/manifests/multi');
  assert.equal(got.headers['content-type'], 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.deepEqual(got.body, list);
});

/** Conformance workflow 3, content discovery: tags list with n/last/Link, catalog, referrers. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeImage, pushBlob, pushImage, sha256, type TestImage, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
let base: TestImage;
const TAGS = ['a', 'b', 'c', 'd', 'e'];
before(async () => {
  r = await testRegistry();
  base = makeImage('discovery');
  for (const t of TAGS) assert.equal((await pushImage(r.url, 'disc', t, base)).status, 201);
  for (const n of ['x/one', 'x/two', 'y']) await pushImage(r.url, n, 'latest', makeImage(n));
});
after(() => r.dispose());

test('tags list: all tags, sorted', async () => {
  const res = await r.call('GET', '/v2/disc/tags/list');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { name: 'disc', tags: TAGS });
});

test('tags list: n, last and Link pagination', async () => {
  let res = await r.call('GET', '/v2/disc/tags/list?n=2');
  assert.deepEqual(res.json().tags, ['a', 'b']);
  assert.equal(res.headers.link, '</v2/disc/tags/list?n=2&last=b>; rel="next"');
  res = await r.call('GET', '/v2/disc/tags/list?n=2&last=b');
  assert.deepEqual(res.json().tags, ['c', 'd']);
  res = await r.call('GET', '/v2/disc/tags/list?n=2&last=d');
  assert.deepEqual(res.json().tags, ['e']);
  assert.equal(res.headers.link, undefined);
  res = await r.call('GET', '/v2/disc/tags/list?last=c');
  assert.deepEqual(res.json().tags, ['d', 'e']);
  res = await r.call('GET', '/v2/disc/tags/list?n=0');
  assert.deepEqual(res.json().tags, []);
  assert.equal(res.headers.link, undefined);
  res = await r.call('GET', '/v2/disc/tags/list?n=5');
  assert.deepEqual(res.json().tags, TAGS);
  assert.equal(res.headers.link, undefined);
});

test('tags list of an unknown repository is 404 NAME_UNKNOWN', async () => {
  const res = await r.call('GET', '/v2/nothing/here/tags/list');
  assert.equal(res.status, 404);
  assert.equal(res.json().errors[0].code, 'NAME_UNKNOWN');
});

test('catalog with pagination', async () => {
  let res = await r.call('GET', '/v2/_catalog');
  assert.deepEqual(res.json().repositories, ['disc', 'x/one', 'x/two', 'y']);
  res = await r.call('GET', '/v2/_catalog?n=3');
  assert.deepEqual(res.json().repositories, ['disc', 'x/one', 'x/two']);
  assert.equal(res.headers.link, '</v2/_catalog?n=3&last=x%2Ftwo>; rel="next"');
  res = await r.call('GET', '/v2/_catalog?n=3&last=x%2Ftwo');
  assert.deepEqual(res.json().repositories, ['y']);
});

test('referrers: subject, OCI-Subject, artifactType, filter, descriptor fields', async () => {
  const subject = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: base.digest,
    size: base.manifest.length,
  };
  const emptyCfg = Buffer.from('{}');
  await pushBlob(r.url, 'disc', emptyCfg);
  const sbomLayer = Buffer.from('sbom');
  await pushBlob(r.url, 'disc', sbomLayer);
  const sig = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(emptyCfg), size: 2 },
      layers: [],
      subject,
      annotations: { 'org.example.who': 'me' },
    }),
  );
  const sbom = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.example.sbom.config', digest: sha256(emptyCfg), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: sha256(sbomLayer), size: sbomLayer.length }],
      subject,
    }),
  );
  const idx = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
      subject,
    }),
  );
  const ct = (t: string) => ({ 'Content-Type': `application/vnd.oci.image.${t}.v1+json` });
  for (const [body, type] of [
    [sig, 'manifest'],
    [sbom, 'manifest'],
    [idx, 'index'],
  ] as const) {
    const res = await r.call('PUT', `/v2/disc/manifests/${sha256(body)}`, { body, headers: ct(type) });
    assert.equal(res.status, 201);
    assert.equal(res.headers['oci-subject'], base.digest);
  }
  const res = await r.call('GET', `/v2/disc/referrers/${base.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/vnd.oci.image.index.v1+json');
  const list = res.json();
  assert.equal(list.schemaVersion, 2);
  assert.equal(list.manifests.length, 3);
  const byDigest = Object.fromEntries(list.manifests.map((m: { digest: string }) => [m.digest, m]));
  assert.deepEqual(byDigest[sha256(sig)], {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(sig),
    size: sig.length,
    artifactType: 'application/vnd.example.signature',
    annotations: { 'org.example.who': 'me' },
  });
  assert.equal(
    byDigest[sha256(sbom)].artifactType,
    'application/vnd.example.sbom.config',
    'config media type stands in',
  );
  assert.equal(byDigest[sha256(idx)].artifactType, undefined, 'an index without artifactType has none');

  const filtered = await r.call(
    'GET',
    `/v2/disc/referrers/${base.digest}?artifactType=application/vnd.example.signature`,
  );
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
  assert.deepEqual(
    filtered.json().manifests.map((m: { digest: string }) => m.digest),
    [sha256(sig)],
  );

  const none = await r.call('GET', `/v2/disc/referrers/${sha256('no such subject')}`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.json().manifests, []);
  const bad = await r.call('GET', '/v2/disc/referrers/sha256:nothex');
  assert.equal(bad.status, 400);

  const del = await r.call('DELETE', `/v2/disc/manifests/${sha256(sig)}`);
  assert.equal(del.status, 202);
  const after = await r.call('GET', `/v2/disc/referrers/${base.digest}`);
  assert.equal(after.json().manifests.length, 2, 'a deleted referrer leaves the list');
});

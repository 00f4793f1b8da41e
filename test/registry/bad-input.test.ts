/** Bad input gets the spec's error and stores nothing. */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeImage, pushBlob, sha256, type TestRegistry, testRegistry } from './helpers.ts';

let r: TestRegistry;
before(async () => {
  r = await testRegistry();
  await pushBlob(r.url, 'bad', 'existing content');
});
after(() => r.dispose());

async function files(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = `${prefix}${e.name}`;
    if (e.isDirectory()) out.push(...(await files(join(dir, e.name), `${p}/`)));
    else out.push(p);
  }
  return out.sort();
}

/** Runs `fn` and checks that no file appeared in storage (upload sessions too, unless `sessionsOk`). */
async function storesNothing(fn: () => Promise<void>, sessionsOk = false): Promise<void> {
  const before = await files(join(r.root, 'data'));
  await fn();
  // An aborted request's session is removed once the server sees the connection end: give it a moment.
  const deadline = Date.now() + 5_000;
  for (;;) {
    let now = await files(join(r.root, 'data'));
    if (sessionsOk) now = now.filter((f) => !f.includes('/_uploads/') || before.includes(f));
    if (Date.now() > deadline || JSON.stringify(now) === JSON.stringify(before)) {
      assert.deepEqual(now, before);
      return;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

const OCTET = { 'Content-Type': 'application/octet-stream' };

test('a digest that does not match the body: DIGEST_INVALID, monolithic and POST+PUT and chunked', async () => {
  await storesNothing(async () => {
    const res = await r.call('POST', `/v2/bad/blobs/uploads/?digest=${sha256('other')}`, {
      body: 'content',
      headers: OCTET,
    });
    assert.equal(res.status, 400);
    assert.equal(res.json().errors[0].code, 'DIGEST_INVALID');
    const start = await r.call('POST', '/v2/bad/blobs/uploads/');
    const put = await r.call('PUT', `${start.headers.location}?digest=${sha256('other')}`, {
      body: 'content',
      headers: OCTET,
    });
    assert.equal(put.status, 400);
    assert.equal(put.json().errors[0].code, 'DIGEST_INVALID');
    const s2 = await r.call('POST', '/v2/bad/blobs/uploads/');
    await r.call('PATCH', s2.headers.location as string, {
      body: 'abc',
      headers: { ...OCTET, 'Content-Range': '0-2' },
    });
    const put2 = await r.call('PUT', `${s2.headers.location}?digest=${sha256('abd')}`);
    assert.equal(put2.status, 400);
  });
});

test('an invalid digest string: DIGEST_INVALID', async () => {
  await storesNothing(async () => {
    for (const d of ['sha256:xyz', 'md5:d41d8cd98f00b204e9800998ecf8427e', 'sha256:ABC', 'nodigest']) {
      const res = await r.call('POST', `/v2/bad/blobs/uploads/?digest=${encodeURIComponent(d)}`, {
        body: 'x',
        headers: OCTET,
      });
      assert.equal(res.status, 400, d);
      assert.equal(res.json().errors[0].code, 'DIGEST_INVALID');
    }
    const get = await r.call('GET', '/v2/bad/blobs/sha256:1234');
    assert.equal(get.status, 400);
    const m = await r.call('GET', '/v2/bad/manifests/sha256:1234');
    assert.equal(m.status, 400);
  });
});

test('a wrong Content-Length: shorter body than declared (client gives up) and a range/length mismatch', async () => {
  await storesNothing(async () => {
    const data = 'twelve bytes';
    await new Promise<void>((resolve) => {
      const url = new URL(r.url);
      const s = connect(Number(url.port), url.hostname, () => {
        s.write(
          `POST /v2/bad/blobs/uploads/?digest=${sha256(data)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n${data}`,
        );
        setTimeout(() => s.destroy(), 100);
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    const res = await r.call('GET', `/v2/bad/blobs/${sha256(data)}`);
    assert.equal(res.status, 404);
    const short = await r
      .call('POST', `/v2/bad/blobs/uploads/?digest=${sha256(data)}`, {
        body: data,
        headers: { ...OCTET, 'Content-Length': 5 },
      })
      .catch(() => undefined);
    if (short) assert.equal(short.status, 400, 'only 5 bytes reach the registry: their digest does not match');
  });
  await storesNothing(async () => {
    const start = await r.call('POST', '/v2/bad/blobs/uploads/');
    const res = await r.call('PATCH', start.headers.location as string, {
      body: 'abcde',
      headers: { ...OCTET, 'Content-Range': '0-9' },
    });
    assert.equal(res.status, 416);
    const status = await r.call('GET', start.headers.location as string);
    assert.equal(status.headers.range, '0-0', 'nothing of the bad chunk was kept');
  }, true);
});

test('a manifest naming missing blobs: MANIFEST_BLOB_UNKNOWN', async () => {
  const img = makeImage('missing');
  await pushBlob(r.url, 'bad', img.config);
  await storesNothing(async () => {
    const res = await r.call('PUT', '/v2/bad/manifests/v1', {
      body: img.manifest,
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json().errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
    const idx = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: img.manifest.length },
      ],
    });
    const r2 = await r.call('PUT', '/v2/bad/manifests/idx', {
      body: idx,
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(r2.status, 400);
    assert.equal(r2.json().errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
  });
  assert.equal((await r.call('GET', '/v2/bad/manifests/v1')).status, 404);
});

test('invalid manifests: MANIFEST_INVALID; digest reference mismatch: DIGEST_INVALID', async () => {
  await storesNothing(async () => {
    const ct = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' };
    for (const body of [
      'not json',
      '[]',
      '{"schemaVersion":1}',
      '{"schemaVersion":2,"config":{"digest":"x"},"layers":[]}',
    ]) {
      const res = await r.call('PUT', '/v2/bad/manifests/t', { body, headers: ct });
      assert.equal(res.status, 400, body);
      assert.equal(res.json().errors[0].code, 'MANIFEST_INVALID');
    }
    const idx = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
    const mismatch = await r.call('PUT', '/v2/bad/manifests/t', { body: idx, headers: ct });
    assert.equal(mismatch.status, 400, 'Content-Type must match mediaType');
    const wrong = await r.call('PUT', `/v2/bad/manifests/${sha256('something else')}`, {
      body: idx,
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().errors[0].code, 'DIGEST_INVALID');
  });
});

test('a manifest over 4 MiB: 413', async () => {
  await storesNothing(async () => {
    const big = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
      annotations: { pad: 'x'.repeat(4 * 1024 * 1024) },
    });
    const res = await r.call('PUT', '/v2/bad/manifests/big', {
      body: big,
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(res.status, 413);
    assert.equal(res.json().errors[0].code, 'SIZE_INVALID');
    const chunked = await r.call('PUT', '/v2/bad/manifests/big', {
      body: big,
      chunked: true,
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(chunked.status, 413, 'also without a Content-Length');
  });
});

test('repository names with .. or upper case: NAME_INVALID', async () => {
  await storesNothing(async () => {
    for (const name of ['a/../b', '..', 'Upper', 'a/B', 'a//b', '-a', 'a%2f..%2fb']) {
      for (const [m, p] of [
        ['GET', `/v2/${name}/tags/list`],
        ['POST', `/v2/${name}/blobs/uploads/?digest=${sha256('x')}`],
        ['PUT', `/v2/${name}/manifests/latest`],
      ]) {
        const res = await r.call(m, p, { body: 'x', headers: OCTET });
        assert.equal(res.status, 400, `${m} ${p}`);
        assert.equal(res.json().errors[0].code, 'NAME_INVALID');
      }
    }
  });
});

test('a range past the end: 416 with Content-Range bytes */size', async () => {
  const d = sha256('existing content');
  for (const range of ['bytes=16-', 'bytes=100-200']) {
    const res = await r.call('GET', `/v2/bad/blobs/${d}`, { headers: { Range: range } });
    assert.equal(res.status, 416, range);
    assert.equal(res.headers['content-range'], 'bytes */16');
  }
});

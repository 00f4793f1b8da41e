/** Operations: /healthz, Prometheus /metrics, JSON access logs, the hot-manifest cache, memory stays flat while blobs stream. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/lib/log.ts';
import { startRegistry } from '../../src/registry/server.ts';
import { makeImage, pushImage, req } from './helpers.ts';

test('healthz, metrics and structured access logs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-ops-'));
  const lines: string[] = [];
  const r = await startRegistry(
    { storage: { driver: 'filesystem', root: dir }, http: { addr: '127.0.0.1:0' } },
    { log: createLogger('info', {}, (l) => lines.push(l)) },
  );
  try {
    const h = await req(r.url, 'GET', '/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(h.json(), { status: 'ok' });
    const img = makeImage('ops');
    assert.equal((await pushImage(r.url, 'ops/app', 'v1', img)).status, 201);
    for (let i = 0; i < 3; i++) await req(r.url, 'GET', '/v2/ops/app/manifests/v1');
    await req(r.url, 'GET', '/v2/ops/app/manifests/nope');
    const m = await req(r.url, 'GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = m.body.toString();
    assert.match(text, /registry_http_requests_total\{method="GET",route="manifest",code="200"\} 3/);
    assert.match(text, /registry_http_requests_total\{method="GET",route="manifest",code="404"\} 1/);
    assert.match(text, /registry_http_request_duration_seconds_bucket\{route="manifest",le="\+Inf"\} 5/);
    assert.match(text, /process_resident_memory_bytes \d+/);
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    const last = access.find((l) => l.path === '/v2/ops/app/manifests/nope');
    assert.ok(last);
    assert.equal(last.status, 404);
    assert.equal(last.route, 'manifest');
    assert.equal(last.repository, 'ops/app');
    assert.equal(last.method, 'GET');
    assert.equal(typeof last.durationMs, 'number');
    assert.ok(last.time);
  } finally {
    await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a re-tag is seen at once (the manifest cache is invalidated on write)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-ops-'));
  const r = await startRegistry(
    { storage: { driver: 'filesystem', root: dir }, http: { addr: '127.0.0.1:0' } },
    { log: createLogger('error', {}, () => {}) },
  );
  try {
    const a = makeImage('cache-a');
    const b = makeImage('cache-b');
    await pushImage(r.url, 'c/app', 'latest', a);
    assert.equal((await req(r.url, 'GET', '/v2/c/app/manifests/latest')).headers['docker-content-digest'], a.digest);
    await pushImage(r.url, 'c/app', 'latest', b);
    assert.equal((await req(r.url, 'GET', '/v2/c/app/manifests/latest')).headers['docker-content-digest'], b.digest);
    await req(r.url, 'DELETE', `/v2/c/app/manifests/${b.digest}`);
    assert.equal((await req(r.url, 'GET', '/v2/c/app/manifests/latest')).status, 404);
  } finally {
    await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** Auth: htpasswd basic auth with per-repository rules, bearer tokens from the built-in issuer, and TLS. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { makeImage, pushImage, req, type TestRegistry, testRegistry } from './helpers.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-reg-auth-'));
  const lines = [
    `alice:${bcrypt.hashSync('wonderland', 6)}`,
    `bob:${bcrypt.hashSync('builder', 6).replace(/^\$2b\$/, '$2y$')}`,
  ];
  await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const access = [
  { repository: 'public/*', users: ['anonymous', '*'], actions: ['pull'] },
  { repository: '*', users: ['alice'], actions: ['pull', 'push', 'delete'] },
  { repository: 'bob/*', users: ['bob'], actions: ['pull', 'push'] },
];

describe('basic auth (htpasswd, bcrypt)', () => {
  let r: TestRegistry;
  before(async () => {
    r = await testRegistry({ auth: { htpasswd: { path: join(dir, 'htpasswd'), realm: 'test' }, access } });
  });
  after(() => r.dispose());

  test('no credentials: 401 UNAUTHORIZED with a Basic challenge', async () => {
    const res = await r.call('GET', '/v2/');
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /^Basic realm="test"/);
    assert.equal(res.json().errors[0].code, 'UNAUTHORIZED');
  });

  test('wrong password: 401; right password ($2b$ and $2y$): 200', async () => {
    assert.equal((await r.call('GET', '/v2/', { headers: basic('alice', 'nope') })).status, 401);
    assert.equal((await r.call('GET', '/v2/', { headers: basic('alice', 'wonderland') })).status, 200);
    assert.equal((await r.call('GET', '/v2/', { headers: basic('bob', 'builder') })).status, 200);
  });

  test('per-repository rules: push where allowed, 403 DENIED elsewhere, anonymous pull of public', async () => {
    const img = makeImage('auth-basic');
    assert.equal(
      (await pushImage(r.url, 'public/app', 'v1', img, { headers: basic('alice', 'wonderland') })).status,
      201,
    );
    assert.equal((await pushImage(r.url, 'bob/app', 'v1', img, { headers: basic('bob', 'builder') })).status, 201);
    const denied = await r.call('POST', '/v2/public/app/blobs/uploads/', { headers: basic('bob', 'builder') });
    assert.equal(denied.status, 403);
    assert.equal(denied.json().errors[0].code, 'DENIED');
    assert.equal((await r.call('GET', '/v2/public/app/manifests/v1')).status, 200, 'anonymous pull of public/*');
    assert.equal((await r.call('GET', '/v2/bob/app/manifests/v1')).status, 401, 'anonymous elsewhere must log in');
    assert.equal(
      (await r.call('DELETE', '/v2/bob/app/manifests/v1', { headers: basic('bob', 'builder') })).status,
      403,
    );
    assert.equal((await r.call('GET', '/v2/_catalog', { headers: basic('bob', 'builder') })).status, 200);
  });
});

describe('bearer tokens (built-in issuer, ES256 and RS256)', () => {
  for (const kind of ['ec', 'rsa'] as const) {
    test(`token flow with a ${kind} key`, async () => {
      const keyPath = join(dir, `${kind}.pem`);
      const { privateKey } =
        kind === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
      await writeFile(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const r = await testRegistry({
        auth: {
          htpasswd: { path: join(dir, 'htpasswd') },
          token: { privateKey: keyPath, service: 'berth-test', issuer: 'berth-test-issuer' },
          access,
        },
      });
      try {
        const challenge = await r.call('GET', '/v2/bob/app/manifests/v1');
        assert.equal(challenge.status, 401);
        const wa = String(challenge.headers['www-authenticate']);
        assert.match(
          wa,
          /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/auth\/token",service="berth-test",scope="repository:bob\/app:pull"/,
        );
        const realm = /realm="([^"]+)"/.exec(wa)![1];
        const tokenPath = `${new URL(realm).pathname}?service=berth-test&scope=${encodeURIComponent('repository:bob/app:pull,push,delete')}`;
        const tr = await req(r.url, 'GET', tokenPath, { headers: basic('bob', 'builder') });
        assert.equal(tr.status, 200);
        const { token, access_token, expires_in } = tr.json();
        assert.equal(token, access_token);
        assert.equal(expires_in, 300);
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
        assert.deepEqual(
          claims.access,
          [{ type: 'repository', name: 'bob/app', actions: ['pull', 'push'] }],
          'delete not granted',
        );
        assert.equal(claims.aud, 'berth-test');
        const bearer = { Authorization: `Bearer ${token}` };
        const img = makeImage(`auth-token-${kind}`);
        assert.equal((await pushImage(r.url, 'bob/app', 'v1', img, { headers: bearer })).status, 201);
        assert.equal((await r.call('GET', '/v2/bob/app/manifests/v1', { headers: bearer })).status, 200);
        const del = await r.call('DELETE', '/v2/bob/app/manifests/v1', { headers: bearer });
        assert.equal(del.status, 401);
        assert.match(String(del.headers['www-authenticate']), /error="insufficient_scope"/);
        const other = await r.call('GET', '/v2/public/app/tags/list', { headers: bearer });
        assert.equal(other.status, 401, 'the token names only bob/app');
        const forged = `${token.slice(0, -4)}AAAA`;
        assert.equal(
          (await r.call('GET', '/v2/bob/app/manifests/v1', { headers: { Authorization: `Bearer ${forged}` } })).status,
          401,
        );
        const anon = await req(r.url, 'GET', `/auth/token?service=berth-test&scope=repository:public/app:pull,push`);
        assert.deepEqual(JSON.parse(Buffer.from(anon.json().token.split('.')[1], 'base64url').toString()).access, [
          { type: 'repository', name: 'public/app', actions: ['pull'] },
        ]);
        assert.equal(
          (await req(r.url, 'GET', '/auth/token?service=berth-test', { headers: basic('bob', 'bad') })).status,
          401,
        );
      } finally {
        await r.dispose();
      }
    });
  }
});

test('TLS: served over HTTPS with a certificate from a test CA', async () => {
  const d = join(dir, 'tls');
  execFileSync('mkdir', ['-p', d]);
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: d, stdio: 'pipe' });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=berth test CA',
  );
  ossl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'srv.key',
    '-out',
    'srv.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  await writeFile(join(d, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ossl(
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  const r = await testRegistry({
    http: { addr: '127.0.0.1:0', tls: { certificate: join(d, 'srv.pem'), key: join(d, 'srv.key') } },
  });
  try {
    assert.match(r.url, /^https:/);
    const ca = await readFile(join(d, 'ca.pem'));
    const res = await req(r.url, 'GET', '/v2/', { ca });
    assert.equal(res.status, 200);
    const img = makeImage('tls');
    assert.equal((await pushImage(r.url, 'tls/app', 'v1', img, { ca })).status, 201);
    await assert.rejects(req(r.url, 'GET', '/v2/'), 'an unknown CA is refused by the client');
  } finally {
    await r.dispose();
  }
});

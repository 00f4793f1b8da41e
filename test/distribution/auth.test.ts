/** Pull and push with htpasswd basic auth, TLS from certs.d, and bearer tokens, against CNCF distribution 2.8.2. */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, makeCerts, startDistribution } from './peers.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';

let d: TestDaemon;
let dir: string;
const regs: Distribution[] = [];
let tokens: TokenServer | undefined;

before(async () => {
  dir = mkdtempSync('/tmp/berth-dist-auth-');
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'certs-dir': join(dir, 'certs.d') }));
  d = await startDaemon({ configFile: join(dir, 'daemon.json') });
  await loadBusybox(d);
});
after(async () => {
  for (const r of regs) await r.stop();
  await tokens?.close();
  await d?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function roundTrip(img: string): Promise<void> {
  const id = ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest'])).trim();
  ok(d.docker(['tag', 'busybox:latest', img]));
  assert.match(ok(await d.dockerAsync(['push', img])), /digest: sha256:/);
  ok(await d.dockerAsync(['rmi', img]));
  assert.match(ok(await d.dockerAsync(['pull', img])), /Status: /);
  assert.equal(ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', img])).trim(), id);
  ok(d.docker(['rmi', img]));
}

test('htpasswd basic auth: login checks the password, push and pull with it, anonymous is refused', async () => {
  const reg = await startDistribution({ htpasswd: { user: 'alice', password: 's3cret' } });
  regs.push(reg);
  const bad = d.docker(['login', '-u', 'alice', '-p', 'wrong', reg.host]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unauthorized|incorrect/i);
  assert.equal(d.docker(['push', `${reg.host}/a/app:1`]).code !== 0, true);
  assert.match(ok(d.docker(['login', '-u', 'alice', '-p', 's3cret', reg.host])), /Login Succeeded/);
  await roundTrip(`${reg.host}/alice/app:1`);
  ok(d.docker(['logout', reg.host]));
  const anon = await d.dockerAsync(['pull', `${reg.host}/alice/app:1`]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stderr, /pull access denied.*(unauthorized|authentication required)/i);
});

test('TLS with the test CA from certs.d (localhost is not insecure)', async () => {
  const certs = makeCerts(join(dir, 'pki'));
  const reg = await startDistribution({ tls: { cert: certs.cert, key: certs.key }, name: 'localhost' });
  regs.push(reg);
  const img = `${reg.host}/tls/app:1`;
  ok(d.docker(['tag', 'busybox:latest', img]));
  const refused = await d.dockerAsync(['push', img]);
  assert.notEqual(refused.code, 0, 'no CA yet: the certificate must be refused');
  assert.match(refused.stderr, /certificate|self.signed|verify/i);
  ok(d.docker(['rmi', img]));
  mkdirSync(join(dir, 'certs.d', reg.host), { recursive: true });
  cpSync(certs.ca, join(dir, 'certs.d', reg.host, 'ca.crt'));
  // a fresh host name so the daemon reads certs.d again (it caches per registry)
  const reg2 = await startDistribution({ tls: { cert: certs.cert, key: certs.key }, name: 'localhost' });
  regs.push(reg2);
  mkdirSync(join(dir, 'certs.d', reg2.host), { recursive: true });
  cpSync(certs.ca, join(dir, 'certs.d', reg2.host, 'ca.crt'));
  await roundTrip(`${reg2.host}/tls/app:1`);
});

test('bearer tokens from a token server: challenge, scopes, token reuse', async () => {
  const certs = makeCerts(join(dir, 'tok'));
  tokens = await startTokenServer({
    certPath: certs.ca,
    keyPath: certs.caKey,
    service: 'berth-test',
    issuer: 'berth-test-issuer',
    user: 'bob',
    password: 'builder',
  });
  const reg = await startDistribution({
    token: { realm: tokens.realm, service: 'berth-test', issuer: 'berth-test-issuer', rootCert: certs.ca },
  });
  regs.push(reg);
  // the token server runs in this process: drive the CLI asynchronously
  assert.notEqual((await d.dockerAsync(['login', '-u', 'bob', '-p', 'nope', reg.host])).code, 0);
  assert.match(ok(await d.dockerAsync(['login', '-u', 'bob', '-p', 'builder', reg.host])), /Login Succeeded/);
  const before = tokens.requests.length;
  await roundTrip(`${reg.host}/bob/app:1`);
  const asked = tokens.requests.slice(before);
  assert.ok(
    asked.some((q) => q.includes('scope=repository%3Abob%2Fapp%3Apull%2Cpush')),
    asked.join('\n'),
  );
  assert.ok(asked.some((q) => q.includes('service=berth-test')));
  assert.ok(asked.length <= 6, `tokens are reused: ${asked.length} token requests\n${asked.join('\n')}`);
});

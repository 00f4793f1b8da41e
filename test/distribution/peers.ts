/**
 * Test peers for the distribution tests: Debian's docker-registry (CNCF
 * distribution 2.8.2) on 127.0.0.1 with optional htpasswd, TLS or token
 * auth, a test CA, and free ports.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export interface Distribution {
  host: string;
  dir: string;
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export interface DistributionOptions {
  htpasswd?: { user: string; password: string };
  tls?: { cert: string; key: string };
  token?: { realm: string; service: string; issuer: string; rootCert: string };
  /** Host name in the returned `host` (default 127.0.0.1). */
  name?: string;
}

export async function startDistribution(o: DistributionOptions = {}): Promise<Distribution> {
  const dir = mkdtempSync('/tmp/berth-dist-');
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: { level: warn }',
    'storage:',
    `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (o.tls) lines.push(`  tls: { certificate: ${o.tls.cert}, key: ${o.tls.key} }`);
  if (o.htpasswd) {
    const r = spawnSync('htpasswd', ['-Bbn', o.htpasswd.user, o.htpasswd.password]);
    writeFileSync(join(dir, 'htpasswd'), r.stdout);
    lines.push('auth:', `  htpasswd: { realm: test, path: ${join(dir, 'htpasswd')} }`);
  }
  if (o.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${o.token.realm}`,
      `    service: ${o.token.service}`,
      `    issuer: ${o.token.issuer}`,
      `    rootcertbundle: ${o.token.rootCert}`,
    );
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  let text = '';
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d) => (text += d));
  proc.stderr?.on('data', (d) => (text += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${text}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not start: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `${o.name ?? '127.0.0.1'}:${port}`,
    dir,
    proc,
    log: () => text,
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a server certificate for `localhost` and 127.0.0.1, made with openssl. */
export function makeCerts(dir: string): { ca: string; cert: string; key: string; caKey: string } {
  mkdirSync(dir, { recursive: true });
  const sh = (cmd: string) => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  sh(
    'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=berth-test-ca 2>/dev/null',
  );
  sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  sh(
    'openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf 2>/dev/null',
  );
  return {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    caKey: join(dir, 'ca.key'),
  };
}

/** Listens on a free port of 127.0.0.1 (a test proxy); `close` also drops open connections. */
export async function listenLocal(server: Server): Promise<{ host: string; close(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Starts a registry server (HTTP or HTTPS) from a config: storage, auth, proxy, GC timer. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '../lib/errors.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { AccessRules } from './auth/access.ts';
import { Authenticator, type AuthSetup } from './auth/authenticator.ts';
import { Htpasswd } from './auth/htpasswd.ts';
import type { IssuerSettings } from './auth/token-issuer.ts';
import { normalizeConfig, parseAddr, type RegistryConfig } from './config.ts';
import { collectGarbage, type GcOptions, type GcResult } from './gc.ts';
import { createHandler } from './http/handle.ts';
import { Metrics } from './metrics.ts';
import { ProxyCache } from './proxy.ts';
import { Registry } from './registry.ts';
import type { StorageDriver } from './storage/driver.ts';
import { FsDriver } from './storage/fs-driver.ts';
import { MemoryDriver } from './storage/memory-driver.ts';

// node:http through getBuiltinModule: an ES import of it makes Node load undici, TLS and HTTP/2 too (~13 MiB).
const { createServer: createHttpServer } = process.getBuiltinModule('node:http') as typeof import('node:http');

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` (or https). */
  url: string;
  /** `127.0.0.1:PORT`, as image references name it. */
  host: string;
  registry: Registry;
  metrics: Metrics;
  gc(opts?: GcOptions): Promise<GcResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Use this driver instead of the one the config names (tests). */
  driver?: StorageDriver;
}

async function makeDriver(c: RegistryConfig): Promise<StorageDriver> {
  if (c.storage.driver === 'inmemory') return new MemoryDriver();
  if (!c.storage.root) throw new InvalidArgumentError('the filesystem storage needs a root folder (--root)');
  await mkdir(c.storage.root, { recursive: true });
  return new FsDriver(c.storage.root);
}

function authSetup(c: RegistryConfig): { setup?: AuthSetup; issuer?: IssuerSettings } {
  const a = c.auth;
  if (!a || (!a.htpasswd && !a.token)) return {};
  const htpasswd = a.htpasswd ? Htpasswd.load(a.htpasswd.path) : undefined;
  const rules = new AccessRules(a.access);
  const realm = a.htpasswd?.realm ?? 'berth-registry';
  if (!a.token) return { setup: { realm, htpasswd, rules } };
  let privateKey: KeyObject;
  if (a.token.privateKey) privateKey = createPrivateKey(readFileSync(a.token.privateKey));
  else privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const service = a.token.service ?? 'berth-registry';
  const issuerName = a.token.issuer ?? 'berth-registry';
  const publicKey = createPublicKey(privateKey);
  return {
    setup: { realm, htpasswd, rules, token: { realm: a.token.realm, service, issuer: issuerName, publicKey } },
    issuer: { service, issuer: issuerName, privateKey, expiresIn: a.token.expiresIn ?? 300, htpasswd, rules, realm },
  };
}

export async function startRegistry(
  config: RegistryConfig | Record<string, unknown>,
  opts: StartOptions = {},
): Promise<RunningRegistry> {
  const c = normalizeConfig(config as Record<string, unknown>);
  const log = opts.log ?? createLogger(c.log?.level ?? 'info', { component: 'registry' });
  const driver = opts.driver ?? (await makeDriver(c));
  const reg = new Registry(driver, { cacheBytes: c.cache?.bytes, tagTtlMs: c.cache?.tagTtlMs });
  const metrics = new Metrics();
  const { setup, issuer } = authSetup(c);
  const proxy = c.proxy ? new ProxyCache(reg, c.proxy, log) : undefined;
  const handler = createHandler({
    reg,
    auth: new Authenticator(setup),
    issuer,
    proxy,
    metrics,
    log,
    accessLog: c.log?.accessLog ?? true,
  });
  const tls = c.http.tls;
  // node:https (and TLS) is loaded only when TLS is on: it costs several MiB of memory.
  const server: Server = tls
    ? (await import('node:https')).createServer(
        { cert: readFileSync(tls.certificate), key: readFileSync(tls.key) },
        handler,
      )
    : createHttpServer(handler);
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  const { host, port } = parseAddr(c.http.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPort = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const url = `${tls ? 'https' : 'http'}://${hostPort}`;
  const gc = async (o: GcOptions = {}) => {
    const r = await collectGarbage(reg, { log, uploadMaxAgeMs: (c.gc?.uploadMaxAgeSeconds ?? 86400) * 1000, ...o });
    metrics.gcRuns++;
    metrics.gcDeleted += r.deleted.length;
    return r;
  };
  let timer: NodeJS.Timeout | undefined;
  if (c.gc?.intervalSeconds) {
    timer = setInterval(() => gc().catch((e) => log.error('gc failed', { error: e })), c.gc.intervalSeconds * 1000);
    timer.unref();
  }
  log.info('registry listening', {
    url,
    storage: driver.name,
    proxy: c.proxy?.remoteurl,
    auth: setup ? (setup.token ? 'token' : 'basic') : 'none',
  });
  return {
    url,
    host: hostPort,
    registry: reg,
    metrics,
    gc,
    close: async () => {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

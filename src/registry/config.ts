/**
 * The registry's configuration, from a YAML or JSON file and/or flags:
 *
 *   storage: { driver: filesystem, root: /var/lib/berth-registry }   # or driver: inmemory
 *   http:    { addr: "127.0.0.1:5000", tls: { certificate: cert.pem, key: key.pem } }
 *   auth:
 *     htpasswd: { path: /etc/berth/htpasswd, realm: berth-registry }
 *     token:    { service: berth-registry, issuer: berth-registry, privateKey: key.pem,
 *                 expiresIn: 300, realm: "https://host/auth/token" }   # realm defaults to this server
 *     access:   [ { repository: "*", users: ["*"], actions: [pull, push, delete] } ]
 *   proxy:   { remoteurl: "https://upstream:5000", username: u, password: p }
 *   cache:   { bytes: 33554432, tagTtlMs: 5000 }
 *   log:     { level: info, accessLog: true }
 *   gc:      { intervalSeconds: 0, uploadMaxAgeSeconds: 86400 }
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../lib/errors.ts';
import { isLogLevel, type LogLevel } from '../lib/log.ts';
import type { AccessRule } from './auth/access.ts';

export interface RegistryConfig {
  storage: { driver: 'filesystem' | 'inmemory'; root?: string };
  http: { addr: string; tls?: { certificate: string; key: string } };
  auth?: {
    htpasswd?: { path: string; realm?: string };
    token?: { service?: string; issuer?: string; privateKey?: string; expiresIn?: number; realm?: string };
    access?: AccessRule[];
  };
  proxy?: { remoteurl: string; username?: string; password?: string };
  cache?: { bytes?: number; tagTtlMs?: number };
  log?: { level?: LogLevel; accessLog?: boolean };
  gc?: { intervalSeconds?: number; uploadMaxAgeSeconds?: number };
}

export function defaultConfig(): RegistryConfig {
  return { storage: { driver: 'filesystem' }, http: { addr: '127.0.0.1:5000' } };
}

/** Reads a config file (YAML is a superset of JSON, so one parser reads both; loaded only when needed). */
export async function loadConfigFile(path: string): Promise<RegistryConfig> {
  const text = readFileSync(path, 'utf8');
  const { default: YAML } = await import('yaml');
  const raw = YAML.parse(text) ?? {};
  return normalizeConfig(raw);
}

export function normalizeConfig(raw: Record<string, unknown>): RegistryConfig {
  const c = { ...defaultConfig(), ...raw } as RegistryConfig;
  c.storage = { ...defaultConfig().storage, ...(raw.storage as object) };
  c.http = { ...defaultConfig().http, ...(raw.http as object) };
  if (c.storage.driver !== 'filesystem' && c.storage.driver !== 'inmemory') {
    throw new InvalidArgumentError(`unknown storage driver "${c.storage.driver}"`);
  }
  if (c.log?.level && !isLogLevel(c.log.level)) throw new InvalidArgumentError(`unknown log level "${c.log.level}"`);
  for (const r of c.auth?.access ?? []) {
    if (typeof r.repository !== 'string' || !Array.isArray(r.users) || !Array.isArray(r.actions)) {
      throw new InvalidArgumentError('each access rule needs repository, users and actions');
    }
  }
  return c;
}

export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new InvalidArgumentError(`invalid address "${addr}": expected HOST:PORT`);
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`invalid port in "${addr}"`);
  return { host, port };
}

/**
 * Registry credentials in the docker CLI's config file
 * (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`):
 * `auths[server].auth` (base64 user:password), or a credential helper named
 * by `credHelpers[server]` or `credsStore` (`docker-credential-NAME get|store|erase`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HUB_SERVER = 'https://index.docker.io/v1/';

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress: string;
  identitytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

function configPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function readConfig(): ConfigFile {
  try {
    return JSON.parse(readFileSync(configPath(), 'utf8')) as ConfigFile;
  } catch {
    return {};
  }
}

function writeConfig(c: ConfigFile): void {
  const p = configPath();
  mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
  writeFileSync(`${p}.tmp`, `${JSON.stringify(c, null, '\t')}\n`, { mode: 0o600 });
  renameSync(`${p}.tmp`, p);
}

/** The key the config file uses for a registry domain. */
export function serverKey(domain: string): string {
  return domain === 'docker.io' ? HUB_SERVER : domain;
}

function helperOf(c: ConfigFile, server: string): string | undefined {
  return c.credHelpers?.[server] ?? c.credsStore;
}

function helper(name: string, action: string, input: string): string {
  const r = spawnSync(`docker-credential-${name}`, [action], { input });
  if (r.error) throw new Error(`credential helper docker-credential-${name}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`credential helper docker-credential-${name} ${action}: ${r.stdout}${r.stderr}`.trim());
  return r.stdout.toString();
}

export function getAuth(domain: string): RegistryAuth | undefined {
  const server = serverKey(domain);
  const c = readConfig();
  const h = helperOf(c, server);
  if (h) {
    try {
      const j = JSON.parse(helper(h, 'get', server)) as { Username?: string; Secret?: string };
      if (j.Username === '<token>') return { serveraddress: server, identitytoken: j.Secret };
      return { serveraddress: server, username: j.Username, password: j.Secret };
    } catch {
      return undefined;
    }
  }
  const e = c.auths?.[server] ?? c.auths?.[`https://${server}`] ?? c.auths?.[`http://${server}`];
  if (!e) return undefined;
  if (e.identitytoken) return { serveraddress: server, identitytoken: e.identitytoken };
  if (!e.auth) return undefined;
  const plain = Buffer.from(e.auth, 'base64').toString('utf8');
  const i = plain.indexOf(':');
  return { serveraddress: server, username: plain.slice(0, i), password: plain.slice(i + 1) };
}

export function storeAuth(a: RegistryAuth): void {
  const c = readConfig();
  const h = helperOf(c, a.serveraddress);
  if (h) {
    helper(h, 'store', JSON.stringify({ ServerURL: a.serveraddress, Username: a.username, Secret: a.password }));
    c.auths = { ...c.auths, [a.serveraddress]: {} };
  } else {
    const auth = Buffer.from(`${a.username ?? ''}:${a.password ?? ''}`).toString('base64');
    c.auths = { ...c.auths, [a.serveraddress]: { auth } };
  }
  writeConfig(c);
}

/** Removes stored credentials; false when there were none. */
export function eraseAuth(server: string): boolean {
  const c = readConfig();
  const h = helperOf(c, server);
  const had = c.auths?.[server] !== undefined;
  if (h) {
    try {
      helper(h, 'erase', server);
    } catch {}
  }
  if (c.auths) delete c.auths[server];
  writeConfig(c);
  return had || h !== undefined;
}

/** The `X-Registry-Auth` header value (base64url JSON), `e30` (`{}`) when anonymous. */
export function authHeader(a: RegistryAuth | undefined): string {
  return Buffer.from(JSON.stringify(a ?? {})).toString('base64url');
}

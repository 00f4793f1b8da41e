/**
 * berthd's configuration: defaults, then the config file (same keys as the
 * flags, JSON), then flags. Every name the daemon creates on the host derives
 * from it (`instance`), so that several daemons run side by side.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, isNotFound } from '../lib/errors.ts';
import { isLogLevel, type LogLevel } from '../lib/log.ts';

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  logLevel: LogLevel;
  configFile: string;
  defaultRuntime: 'crun' | 'runc';
  /** Host-unique short name of this daemon: the prefix of its bridges, chains, cgroups. */
  instance: string;
  cgroupParent: string;
  insecureRegistries: string[];
  registryMirrors: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Docker's certs.d: per-registry CA and client certificates (`certs-dir`). */
  certsDir: string;
  bridgeSubnet: string;
  dns: string[];
  /** Keys from the file that this version does not know; kept for /info warnings. */
  unknownKeys: string[];
}

export const DEFAULTS = {
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  host: 'unix:///run/berth/berth.sock',
  configFile: '/etc/berth/daemon.json',
} as const;

const FILE_KEYS: Record<string, keyof DaemonConfig> = {
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  hosts: 'hosts',
  host: 'hosts',
  'log-level': 'logLevel',
  'default-runtime': 'defaultRuntime',
  'cgroup-parent': 'cgroupParent',
  'insecure-registries': 'insecureRegistries',
  'registry-mirrors': 'registryMirrors',
  'max-concurrent-downloads': 'maxConcurrentDownloads',
  'max-concurrent-uploads': 'maxConcurrentUploads',
  'certs-dir': 'certsDir',
  bip: 'bridgeSubnet',
  'default-bridge-subnet': 'bridgeSubnet',
  dns: 'dns',
};

export interface Flags {
  'data-root'?: string;
  'exec-root'?: string;
  host?: string[];
  'log-level'?: string;
  'config-file'?: string;
  'default-runtime'?: string;
}

function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isNotFound(e) && !explicit) return {};
    throw new InvalidArgumentError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function instanceName(dataRoot: string): string {
  return dataRoot === DEFAULTS.dataRoot
    ? 'berth'
    : `b${createHash('sha256').update(dataRoot).digest('hex').slice(0, 6)}`;
}

export function loadConfig(flags: Flags): DaemonConfig {
  const configFile = flags['config-file'] ?? DEFAULTS.configFile;
  const file = readConfigFile(configFile, flags['config-file'] !== undefined);
  const fromFile: Partial<Record<keyof DaemonConfig, unknown>> = {};
  const unknownKeys: string[] = [];
  for (const [k, v] of Object.entries(file)) {
    const key = FILE_KEYS[k];
    if (key) fromFile[key] = key === 'hosts' && typeof v === 'string' ? [v] : v;
    else unknownKeys.push(k);
  }
  const dataRoot = resolve(flags['data-root'] ?? (fromFile.dataRoot as string) ?? DEFAULTS.dataRoot);
  const execRoot = resolve(flags['exec-root'] ?? (fromFile.execRoot as string) ?? DEFAULTS.execRoot);
  const logLevel = flags['log-level'] ?? (fromFile.logLevel as string) ?? 'info';
  if (!isLogLevel(logLevel))
    throw new InvalidArgumentError(`invalid log level "${logLevel}": use debug, info, warn or error`);
  const runtime = flags['default-runtime'] ?? (fromFile.defaultRuntime as string) ?? 'crun';
  if (runtime !== 'crun' && runtime !== 'runc')
    throw new InvalidArgumentError(`unknown runtime "${runtime}": use crun or runc`);
  const hosts = flags.host?.length ? flags.host : ((fromFile.hosts as string[]) ?? [`unix://${execRoot}/berth.sock`]);
  for (const h of hosts) {
    if (!h.startsWith('unix://') && !h.startsWith('tcp://'))
      throw new InvalidArgumentError(`invalid --host ${h}: use unix:///path or tcp://host:port`);
  }
  // The instance's name is a digest: worked out when first asked for (after the daemon listens).
  let instance: string | undefined;
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    dataRoot,
    execRoot,
    hosts,
    logLevel,
    configFile,
    defaultRuntime: runtime,
    get instance() {
      instance ??= instanceName(dataRoot);
      return instance;
    },
    get cgroupParent() {
      return (fromFile.cgroupParent as string) ?? `/${this.instance}`;
    },
    insecureRegistries: (fromFile.insecureRegistries as string[]) ?? [],
    registryMirrors: (fromFile.registryMirrors as string[]) ?? [],
    maxConcurrentDownloads: num(fromFile.maxConcurrentDownloads, 3),
    maxConcurrentUploads: num(fromFile.maxConcurrentUploads, 5),
    certsDir: (fromFile.certsDir as string) ?? '/etc/berth/certs.d',
    bridgeSubnet: (fromFile.bridgeSubnet as string) ?? '172.17.0.0/16',
    dns: (fromFile.dns as string[]) ?? [],
    unknownKeys,
  };
}

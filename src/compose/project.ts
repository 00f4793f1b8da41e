/**
 * Finishing a merged model into a Project: profiles, the default network,
 * environment from env_file, resource names, and the cross-reference
 * checks (unknown services, networks, volumes, secrets; dependency
 * cycles; bad durations) that refuse a project before anything starts.
 */
import { existsSync } from 'node:fs';
import { readDotenv } from './dotenv.ts';
import { ComposeError, type ConfigPath } from './errors.ts';
import { checkCycles, dependenciesOf } from './graph.ts';
import type { Raw } from './model.ts';
import { errorAt, type SourceFile } from './source.ts';
import type { FileObjectConfig, NetworkConfig, Project, ServiceConfig, VolumeConfig } from './types.ts';
import { parseDuration } from './units.ts';

export interface FinishOptions {
  name: string;
  workingDir: string;
  configFiles: string[];
  environment: Record<string, string>;
  profiles: string[];
  enable: string[];
  sources: SourceFile[];
}

/** An error placed in the last file that has something at `path`. */
function place(sources: SourceFile[], path: ConfigPath, problem: string): ComposeError {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    for (let i = sources.length - 1; i >= 0; i--)
      if (sources[i].doc?.hasIn(prefix)) return errorAt(sources[i], path, problem);
  }
  return errorAt(sources[0], path, problem);
}

export function isEnabled(name: string, s: ServiceConfig, profiles: string[], enable: string[]): boolean {
  if (!s.profiles?.length || enable.includes(name) || profiles.includes('*')) return true;
  return s.profiles.some((p) => profiles.includes(p));
}

const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

export function finishProject(merged: Raw, o: FinishOptions): Project {
  const all = (merged.services ?? {}) as Record<string, ServiceConfig>;
  const fail = (path: ConfigPath, problem: string) => place(o.sources, path, problem);
  const services: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [n, s] of Object.entries(all)) (isEnabled(n, s, o.profiles, o.enable) ? services : disabled)[n] = s;
  for (const n of o.enable) if (!all[n]) throw new ComposeError(`no such service: ${n}`);

  const networks = { ...((merged.networks ?? {}) as Record<string, NetworkConfig | null>) };
  const volumes = { ...((merged.volumes ?? {}) as Record<string, VolumeConfig | null>) };
  const secrets = (merged.secrets ?? {}) as Record<string, FileObjectConfig>;
  const configs = (merged.configs ?? {}) as Record<string, FileObjectConfig>;

  for (const [n, s0] of Object.entries(services)) {
    const s = finishService(n, s0, o.environment, fail);
    services[n] = s;
    const at = (...p: ConfigPath) => ['services', n, ...p];
    if (!s.image && !s.build) throw fail(at(), `service "${n}" has neither an image nor a build context specified`);
    for (const d of dependenciesOf(s)) {
      if (services[d.name] || (all[d.name] && !d.required)) continue;
      if (!d.required) {
        delete s.depends_on?.[d.name];
        continue;
      }
      const why = disabled[d.name]
        ? `depends on service "${d.name}", which is not enabled (profiles: ${disabled[d.name].profiles?.join(', ')})`
        : `depends on undefined service "${d.name}"`;
      throw fail(d.via === 'depends_on' ? at('depends_on', d.name) : at(d.via), why);
    }
    if (s.network_mode && s.networks && Object.keys(s.networks).length)
      throw fail(at('network_mode'), '"network_mode" and "networks" cannot be combined');
    if (!s.network_mode && !s.networks) s.networks = { default: null };
    for (const net of Object.keys(s.networks ?? {})) {
      if (net === 'default' && !(net in networks)) networks.default = null;
      else if (!(net in networks))
        throw fail(at('networks', net), `service "${n}" refers to undefined network "${net}"`);
    }
    s.volumes?.forEach((v, i) => {
      if (v.type === 'volume' && v.source && !(v.source in volumes))
        throw fail(at('volumes', i), `service "${n}" refers to undefined volume "${v.source}"`);
      if (!v.target) throw fail(at('volumes', i), 'a mount needs a target');
    });
    for (const kind of ['secrets', 'configs'] as const)
      s[kind]?.forEach((r, i) => {
        if (!(r.source in (kind === 'secrets' ? secrets : configs)))
          throw fail(at(kind, i), `service "${n}" refers to undefined ${kind.slice(0, -1)} "${r.source}"`);
      });
    if (s.scale !== undefined && s.deploy?.replicas !== undefined && s.scale !== s.deploy.replicas)
      throw fail(at('scale'), `"scale" (${s.scale}) and "deploy.replicas" (${s.deploy.replicas}) differ`);
    if (s.container_name && replicasOf(s) > 1)
      throw fail(at('container_name'), `service "${n}" has a container_name and cannot be scaled beyond 1`);
  }
  for (const s of Object.values(disabled)) if (!s.network_mode && !s.networks) s.networks = { default: null };
  checkCyclesPlaced(services, fail);

  const named = <T extends { name?: string; external?: boolean }>(m: Record<string, T | null>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(m)) {
      const c = { ...(v ?? {}) } as T;
      c.name ??= c.external ? k : `${o.name}_${k}`;
      out[k] = c;
    }
    return out;
  };
  for (const [k, v] of Object.entries({ ...secrets, ...configs }))
    if (!v.file && !v.external && v.environment === undefined && v.content === undefined)
      throw fail([k in secrets ? 'secrets' : 'configs', k], 'needs "file", "environment", "content" or "external"');

  return {
    name: o.name,
    workingDir: o.workingDir,
    configFiles: o.configFiles,
    services,
    disabled,
    networks: named(networks),
    volumes: named(volumes),
    secrets: named(secrets),
    configs: named(configs),
    environment: o.environment,
  };
}

function checkCyclesPlaced(services: Record<string, ServiceConfig>, fail: (p: ConfigPath, m: string) => ComposeError) {
  try {
    checkCycles(services);
  } catch (e) {
    if (e instanceof ComposeError) throw fail(e.path, e.problem);
    throw e;
  }
}

export function replicasOf(s: ServiceConfig): number {
  return s.scale ?? s.deploy?.replicas ?? 1;
}

type Fail = (path: ConfigPath, problem: string) => ComposeError;

function finishService(n: string, s0: ServiceConfig, env: Record<string, string>, fail: Fail): ServiceConfig {
  const s: ServiceConfig = { ...s0 };
  const at = (...p: ConfigPath) => ['services', n, ...p];
  // environment: env_file values under the service's own, bare names from the project environment.
  const environment: Record<string, string | null> = {};
  s.env_file?.forEach((f, i) => {
    if (!existsSync(f.path)) {
      if (f.required) throw fail(at('env_file', i), `env file ${f.path} not found`);
      return;
    }
    for (const [k, v] of readDotenv(f.path, (x) => env[x])) environment[k] = v ?? env[k] ?? null;
  });
  for (const [k, v] of Object.entries(s.environment ?? {})) environment[k] = v ?? env[k] ?? null;
  for (const k of Object.keys(environment)) if (environment[k] === null) delete environment[k];
  delete s.env_file;
  if (Object.keys(environment).length || s.environment) s.environment = environment;
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
    const v = s.healthcheck?.[k];
    if (v !== undefined && parseDuration(v) === undefined) throw fail(at('healthcheck', k), `invalid duration "${v}"`);
  }
  if (s.stop_grace_period !== undefined && parseDuration(s.stop_grace_period) === undefined)
    throw fail(at('stop_grace_period'), `invalid duration "${s.stop_grace_period}"`);
  if (s.restart !== undefined && !RESTART.test(s.restart))
    throw fail(at('restart'), `invalid restart policy "${s.restart}" (no, always, on-failure[:N], unless-stopped)`);
  s.ports?.forEach((p, i) => {
    if (!(p.target > 0 && p.target < 65536)) throw fail(at('ports', i), `invalid container port ${p.target}`);
  });
  return s;
}

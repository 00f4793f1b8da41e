/**
 * Turns a service as written (short syntaxes, lists or mappings) into its
 * canonical long form (types.ts). Paths stay as written; paths.ts resolves
 * them. The input has passed the schema check and been coerced.
 */
import { ComposeError, type ConfigPath } from './errors.ts';
import type {
  BuildConfig,
  DependsOnConfig,
  FileReference,
  HealthcheckConfig,
  PortConfig,
  ServiceConfig,
  ServiceNetworkConfig,
  VolumeMountConfig,
} from './types.ts';
import { shellSplit } from './units.ts';

type Raw = Record<string, unknown>;

/** `["A=1", "B"]` or `{A: 1, B: null}` → `{A: "1", B: null}`. */
export function listOrDict(v: unknown, sep = '=', nullForBare = true): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const e of v as string[]) {
      const i = e.indexOf(sep);
      if (i < 0) out[e] = nullForBare ? null : '';
      else out[e.slice(0, i)] = e.slice(i + 1);
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? null : String(x);
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  const m = listOrDict(v, '=', false);
  return Object.fromEntries(Object.entries(m).map(([k, x]) => [k, x ?? '']));
}

function strList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function command(v: unknown, path: ConfigPath): string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(String);
  try {
    return shellSplit(String(v));
  } catch (e) {
    throw new ComposeError((e as Error).message, { path });
  }
}

function range(s: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  return b >= a ? [a, b] : undefined;
}

/** Short port syntax `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`, target ranges expanded. */
export function parsePort(v: string | number, path: ConfigPath): PortConfig[] {
  let s = String(v);
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    protocol = s.slice(slash + 1);
    s = s.slice(0, slash);
  }
  let hostIp: string | undefined;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (bracket) {
    hostIp = bracket[1];
    s = bracket[2];
  }
  const parts = s.split(':');
  if (!hostIp && parts.length === 3) hostIp = parts.shift();
  else if (!hostIp && parts.length > 3) {
    // An IPv6 host address written without brackets: the last two parts are the ports.
    hostIp = parts.splice(0, parts.length - 2).join(':');
  }
  if (parts.length > 2) throw new ComposeError(`invalid port "${v}"`, { path });
  const target = range(parts[parts.length - 1]);
  const published = parts.length === 2 ? parts[0] : undefined;
  if (!target) throw new ComposeError(`invalid port "${v}": bad container port`, { path });
  const pub = published ? range(published) : undefined;
  if (published && !pub) throw new ComposeError(`invalid port "${v}": bad host port`, { path });
  const n = target[1] - target[0] + 1;
  if (pub && n > 1 && pub[1] - pub[0] + 1 !== n)
    throw new ComposeError(`invalid port "${v}": host and container ranges differ in size`, { path });
  const out: PortConfig[] = [];
  for (let i = 0; i < n; i++) {
    const p: PortConfig = { mode: 'ingress', target: target[0] + i, protocol };
    if (hostIp) p.host_ip = hostIp;
    if (pub) p.published = n > 1 ? String(pub[0] + i) : published;
    out.push(p);
  }
  return out;
}

const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];

/** Short volume syntax `[SOURCE:]TARGET[:MODE]`. */
export function parseVolume(v: string, path: ConfigPath): VolumeMountConfig {
  const parts = v.split(':');
  if (parts.length > 3 || parts.some((p, i) => !p && i < parts.length))
    throw new ComposeError(`invalid volume "${v}"`, { path });
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  const [source, target, mode = ''] = parts;
  const isPath = /^[./~]/.test(source);
  const m: VolumeMountConfig = isPath ? { type: 'bind', source, target } : { type: 'volume', source, target };
  for (const opt of mode.split(',').filter(Boolean)) {
    if (opt === 'ro') m.read_only = true;
    else if (opt === 'rw') m.read_only = false;
    else if (opt === 'nocopy' && !isPath) m.volume = { ...m.volume, nocopy: true };
    else if ((opt === 'z' || opt === 'Z') && isPath) m.bind = { ...m.bind, selinux: opt };
    else if (PROPAGATION.includes(opt) && isPath) m.bind = { ...m.bind, propagation: opt };
    else throw new ComposeError(`invalid volume "${v}": unknown mode "${opt}"`, { path });
  }
  if (isPath) m.bind = { create_host_path: true, ...m.bind };
  return m;
}

function healthcheck(v: Raw): HealthcheckConfig {
  const h: HealthcheckConfig = { ...(v as HealthcheckConfig) };
  if (typeof v.test === 'string') h.test = ['CMD-SHELL', v.test];
  if (h.test?.[0] === 'NONE') {
    h.disable = true;
    delete h.test;
  }
  return h;
}

function fileRefs(v: unknown): FileReference[] {
  return (v as Array<string | FileReference>).map((e) => (typeof e === 'string' ? { source: e } : e));
}

function extraHosts(v: unknown): string[] {
  if (Array.isArray(v))
    return v.map((e) => {
      const s = String(e);
      const eq = s.indexOf('=');
      return eq >= 0 ? `${s.slice(0, eq)}:${s.slice(eq + 1)}` : s;
    });
  const out: string[] = [];
  for (const [host, ip] of Object.entries(v as Record<string, unknown>))
    for (const a of strList(ip)) out.push(`${host}:${a}`);
  return out;
}

/** A service in canonical form (no path resolution). */
export function canonicalService(raw: Raw, path: ConfigPath): ServiceConfig {
  const s: ServiceConfig = {};
  for (const [k, v] of Object.entries(raw)) {
    const p = [...path, k];
    switch (k) {
      case 'build':
        s.build = canonicalBuild(v);
        break;
      case 'command':
      case 'entrypoint':
        s[k] = command(v, p);
        break;
      case 'environment':
        s.environment = listOrDict(v);
        break;
      case 'labels':
      case 'sysctls':
      case 'annotations':
        s[k] = stringMap(v);
        break;
      case 'env_file':
        s.env_file = (Array.isArray(v) ? v : [v]).map((e) =>
          typeof e === 'string' ? { path: e, required: true } : withDefault(e as { path: string }, 'required', true),
        );
        break;
      case 'ports':
        s.ports = (v as unknown[]).flatMap((e, i) =>
          e && typeof e === 'object' ? [longPort(e as PortConfig)] : parsePort(e as string, [...p, i]),
        );
        break;
      case 'expose':
      case 'dns':
      case 'dns_search':
      case 'tmpfs':
      case 'cap_add':
      case 'cap_drop':
      case 'security_opt':
      case 'profiles':
      case 'dns_opt':
      case 'links':
      case 'volumes_from':
        s[k] = strList(v);
        break;
      case 'volumes':
        s.volumes = (v as unknown[]).map((e, i) =>
          typeof e === 'string' ? parseVolume(e, [...p, i]) : (e as VolumeMountConfig),
        );
        break;
      case 'networks':
        s.networks = Array.isArray(v)
          ? Object.fromEntries(v.map((n) => [n as string, null]))
          : (v as Record<string, ServiceNetworkConfig | null>);
        break;
      case 'depends_on':
        s.depends_on = Array.isArray(v)
          ? Object.fromEntries(v.map((n) => [n as string, { condition: 'service_started', required: true }]))
          : Object.fromEntries(
              Object.entries(v as Record<string, DependsOnConfig>).map(([n, d]) => [
                n,
                withDefault(d, 'required', true),
              ]),
            );
        break;
      case 'healthcheck':
        s.healthcheck = healthcheck(v as Raw);
        break;
      case 'extra_hosts':
        s.extra_hosts = extraHosts(v);
        break;
      case 'secrets':
      case 'configs':
        s[k] = fileRefs(v);
        break;
      case 'extends':
        s.extends = typeof v === 'string' ? { service: v } : (v as { service: string; file?: string });
        break;
      case 'deploy':
        if (v)
          s.deploy = { ...(v as Raw), ...(v && (v as Raw).labels ? { labels: stringMap((v as Raw).labels) } : {}) };
        break;
      default:
        s[k] = v;
    }
  }
  return s;
}

function longPort(p: PortConfig): PortConfig {
  const out: PortConfig = { mode: 'ingress', ...p, protocol: p.protocol ?? 'tcp' };
  if (p.published !== undefined) out.published = String(p.published);
  return out;
}

function withDefault<T extends object, K extends string, V>(o: T, key: K, v: V): T & Record<K, V> {
  return (key in o ? o : { ...o, [key]: v }) as T & Record<K, V>;
}

export function canonicalBuild(v: unknown): BuildConfig {
  if (typeof v === 'string') return { context: v };
  const b = { context: '.', ...(v as Raw) } as BuildConfig;
  if (b.args) b.args = listOrDict(b.args);
  if (b.labels) b.labels = stringMap(b.labels);
  if (b.extra_hosts) b.extra_hosts = extraHosts(b.extra_hosts);
  return b;
}

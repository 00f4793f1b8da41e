/**
 * A service replica as an Engine API create request: name, labels,
 * command, environment, ports, mounts, networks, limits, healthcheck —
 * the mapping Docker Compose makes, through the API only.
 */
import type { EndpointSettings } from '../client/compose-calls.ts';
import type { ContainerCreateRequest, HostConfig, MountSpec, RestartPolicy } from '../wire/containers.ts';
import { ComposeError } from './errors.ts';
import { COMPOSE_VERSION, L } from './labels.ts';
import type { Project, ServiceConfig } from './types.ts';
import { parseDuration, parseSize } from './units.ts';

export interface ReplicaOptions {
  project: Project;
  service: string;
  number: number;
  image: string;
  hash: string;
  oneoff?: boolean;
  /** Container IDs of services named by `network_mode: service:X` / `volumes_from`. */
  containerOf?: (service: string) => string | undefined;
}

export function restartPolicy(s: ServiceConfig): RestartPolicy | undefined {
  const r = s.restart ?? s.deploy?.restart_policy?.condition;
  if (!r) return undefined;
  if (r === 'any') return { Name: 'always' };
  if (r === 'none') return { Name: 'no' };
  const m = /^on-failure(?::(\d+))?$/.exec(r);
  if (m) return { Name: 'on-failure', MaximumRetryCount: Number(m[1] ?? s.deploy?.restart_policy?.max_attempts ?? 0) };
  return { Name: r as RestartPolicy['Name'] };
}

/** The networks a service joins, by priority then name; the first one is its NetworkMode. */
export function serviceNetworks(s: ServiceConfig): string[] {
  const nets = s.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || a.localeCompare(b));
}

export function endpointFor(o: ReplicaOptions, netKey: string, name: string): EndpointSettings {
  const n = o.project.services[o.service]?.networks?.[netKey] ?? null;
  const ep: EndpointSettings = { Aliases: [name, o.service, ...(n?.aliases ?? [])] };
  if (n?.ipv4_address || n?.ipv6_address) ep.IPAMConfig = { IPv4Address: n.ipv4_address, IPv6Address: n.ipv6_address };
  if (n?.mac_address) ep.MacAddress = n.mac_address;
  if (n?.driver_opts) ep.DriverOpts = n.driver_opts;
  return ep;
}

function mounts(p: Project, s: ServiceConfig): { binds: string[]; mounts: MountSpec[] } {
  const binds: string[] = [];
  const out: MountSpec[] = [];
  for (const v of s.volumes ?? []) {
    if (v.type === 'bind') {
      // Binds create a missing host directory, as create_host_path asks (the default).
      if (v.bind?.create_host_path !== false && !v.bind?.propagation) {
        binds.push(`${v.source}:${v.target}${v.read_only ? ':ro' : ''}${v.bind?.selinux ? `,${v.bind.selinux}` : ''}`);
        continue;
      }
      out.push({
        Type: 'bind',
        Source: v.source,
        Target: v.target,
        ReadOnly: v.read_only,
        BindOptions: { Propagation: v.bind?.propagation },
      });
    } else if (v.type === 'volume') {
      out.push({
        Type: 'volume',
        Source: v.source ? (p.volumes[v.source]?.name ?? v.source) : undefined,
        Target: v.target,
        ReadOnly: v.read_only,
        VolumeOptions: v.volume?.nocopy ? { NoCopy: true } : undefined,
      });
    } else if (v.type === 'tmpfs') {
      const size = v.tmpfs?.size === undefined ? undefined : parseSize(v.tmpfs.size);
      out.push({ Type: 'tmpfs', Target: v.target, TmpfsOptions: { SizeBytes: size, Mode: v.tmpfs?.mode } });
    } else throw new ComposeError(`volume type "${v.type}" is not supported by berth compose`);
  }
  // File-based secrets and configs: read-only binds of the host file.
  for (const r of s.secrets ?? []) {
    const def = p.secrets[r.source];
    if (def?.file) binds.push(`${def.file}:${secretTarget(r.source, r.target)}:ro`);
  }
  for (const r of s.configs ?? []) {
    const def = p.configs[r.source];
    if (def?.file) binds.push(`${def.file}:${r.target ?? `/${r.source}`}:ro`);
  }
  return { binds, mounts: out };
}

export function secretTarget(source: string, target?: string): string {
  if (!target) return `/run/secrets/${source}`;
  return target.startsWith('/') ? target : `/run/secrets/${target}`;
}

function num(v: number | string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

export function replicaRequest(o: ReplicaOptions, name: string): ContainerCreateRequest {
  const p = o.project;
  const s = p.services[o.service] ?? p.disabled[o.service];
  const labels: Record<string, string> = {
    ...(s.labels ?? {}),
    [L.project]: p.name,
    [L.service]: o.service,
    [L.number]: String(o.number),
    [L.oneoff]: o.oneoff ? 'True' : 'False',
    [L.version]: COMPOSE_VERSION,
    [L.configHash]: o.hash,
    [L.workingDir]: p.workingDir,
    [L.configFiles]: p.configFiles.join(','),
    [L.image]: o.image,
    [L.dependsOn]: Object.entries(s.depends_on ?? {})
      .map(([d, c]) => `${d}:${c.condition}:${c.restart ?? false}`)
      .join(','),
  };
  const exposed: Record<string, object> = {};
  const bindings: NonNullable<HostConfig['PortBindings']> = {};
  for (const e of s.expose ?? []) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  for (const port of s.ports ?? []) {
    const key = `${port.target}/${port.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.host_ip ?? '', HostPort: port.published ?? '' }];
  }
  const { binds, mounts: mnts } = mounts(p, s);
  const limits = s.deploy?.resources?.limits;
  const reservations = s.deploy?.resources?.reservations;
  const memory = limits?.memory ?? s.mem_limit;
  const cpus = limits?.cpus ?? s.cpus;
  const pids = limits?.pids ?? s.pids_limit;
  const tmpfs: Record<string, string> = {};
  for (const t of s.tmpfs ?? []) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  const nets = serviceNetworks(s);
  let networkMode: string;
  if (s.network_mode?.startsWith('service:')) {
    const id = o.containerOf?.(s.network_mode.slice(8));
    if (!id) throw new ComposeError(`service "${o.service}": no container of ${s.network_mode} to share its network`);
    networkMode = `container:${id}`;
  } else networkMode = s.network_mode ?? (nets.length ? (p.networks[nets[0]].name ?? nets[0]) : 'none');
  const hc = s.healthcheck;
  const healthcheck = hc
    ? hc.disable
      ? { Test: ['NONE'] }
      : {
          Test: hc.test,
          Interval: hc.interval ? parseDuration(hc.interval) : undefined,
          Timeout: hc.timeout ? parseDuration(hc.timeout) : undefined,
          StartPeriod: hc.start_period ? parseDuration(hc.start_period) : undefined,
          StartInterval: hc.start_interval ? parseDuration(hc.start_interval) : undefined,
          Retries: hc.retries,
        }
    : undefined;
  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : undefined,
    Mounts: mnts.length ? mnts : undefined,
    PortBindings: Object.keys(bindings).length ? bindings : undefined,
    NetworkMode: networkMode,
    RestartPolicy: restartPolicy(s),
    CapAdd: s.cap_add,
    CapDrop: s.cap_drop,
    Dns: s.dns,
    DnsSearch: s.dns_search,
    DnsOptions: s.dns_opt,
    ExtraHosts: s.extra_hosts,
    Init: s.init,
    Privileged: s.privileged,
    ReadonlyRootfs: s.read_only,
    SecurityOpt: s.security_opt,
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    Sysctls: s.sysctls,
    Memory: memory === undefined ? undefined : parseSize(memory),
    MemoryReservation:
      (reservations?.memory ?? s.mem_reservation) === undefined
        ? undefined
        : parseSize((reservations?.memory ?? s.mem_reservation) as string),
    MemorySwap: s.memswap_limit === undefined ? undefined : parseSize(s.memswap_limit),
    NanoCpus: cpus === undefined ? undefined : Math.round(Number(cpus) * 1e9),
    CpuShares: num(s.cpu_shares),
    PidsLimit: num(pids),
    ShmSize: s.shm_size === undefined ? undefined : parseSize(s.shm_size),
    Ulimits: s.ulimits
      ? Object.entries(s.ulimits).map(([n, v]) =>
          typeof v === 'number'
            ? { Name: n, Soft: v, Hard: v }
            : { Name: n, Soft: Number(v.soft), Hard: Number(v.hard) },
        )
      : undefined,
    VolumesFrom: s.volumes_from?.map((v) => {
      if (v.startsWith('container:')) return v.slice(10);
      const [svc, mode] = v.split(':');
      const id = o.containerOf?.(svc) ?? svc;
      return mode ? `${id}:${mode}` : id;
    }),
    Runtime: s.runtime as string | undefined,
    LogConfig: s.logging
      ? {
          Type: (s.logging as { driver?: string }).driver ?? 'json-file',
          Config: (s.logging as { options?: Record<string, string> }).options ?? {},
        }
      : undefined,
    PidMode: s.pid as string | undefined,
    IpcMode: s.ipc as string | undefined,
  };
  const endpoints: Record<string, EndpointSettings> = {};
  if (!s.network_mode && nets.length) endpoints[p.networks[nets[0]].name ?? nets[0]] = endpointFor(o, nets[0], name);
  return {
    Image: o.image,
    Cmd: s.command ?? undefined,
    Entrypoint: s.entrypoint ?? undefined,
    Env: Object.entries(s.environment ?? {}).map(([k, v]) => `${k}=${v ?? ''}`),
    Labels: labels,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    User: s.user,
    WorkingDir: s.working_dir,
    Hostname: s.hostname,
    Domainname: s.domainname,
    Tty: s.tty ?? false,
    OpenStdin: s.stdin_open ?? false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    StopSignal: s.stop_signal,
    StopTimeout: s.stop_grace_period ? Math.round((parseDuration(s.stop_grace_period) ?? 10e9) / 1e9) : undefined,
    Healthcheck: healthcheck as ContainerCreateRequest['Healthcheck'],
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

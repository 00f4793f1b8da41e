/**
 * `run`/`create` flags → one `POST /containers/create` request, with
 * docker's parsing of sizes, durations, ports, volumes, mounts, ulimits,
 * devices and restart policies.
 */
import { readFileSync } from 'node:fs';
import type { ContainerCreateRequest, HostConfig, MountSpec, RestartPolicy } from '../wire/containers.ts';

export interface CreateFlags {
  attach?: string[];
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  domainname?: string;
  label?: string[];
  labelFile?: string[];
  init?: boolean;
  readOnly?: boolean;
  tmpfs?: string[];
  volume?: string[];
  mount?: string[];
  volumesFrom?: string[];
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  oomKillDisable?: boolean;
  cpus?: string;
  cpuShares?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  blkioWeight?: string;
  pidsLimit?: string;
  ulimit?: string[];
  shmSize?: string;
  restart?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthcheck?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  device?: string[];
  sysctl?: string[];
  runtime?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  network?: string;
  networkAlias?: string[];
  ip?: string;
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  ipc?: string;
  pid?: string;
  uts?: string;
  groupAdd?: string[];
  logDriver?: string;
  logOpt?: string[];
  platform?: string;
}

/** docker's RAMInBytes: `32m`, `1.5g`, `512k`, `100` (binary units, optional `b`/`ib`). */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp])?(i?b)?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size: '${s}'`);
  const pow = m[2] ? 'kmgtp'.indexOf((m[2] as string).toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** pow);
}

/** A Go duration (`1m30s`, `500ms`, `2h`) in nanoseconds. */
export function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw new Error(`invalid duration: '${s}' (use e.g. 30s, 1m30s, 500ms)`);
  return Math.round(total);
}

function int(s: string, what: string): number {
  if (!/^-?\d+$/.test(s.trim())) throw new Error(`invalid ${what}: '${s}'`);
  return Number(s);
}

function keyValues(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid ${what}: '${kv}' (expected key=value)`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Lines of an env or label file: comments and blank lines skipped. */
function fileLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s+/, ''))
    .filter((l) => l && !l.startsWith('#'));
}

/** `-e K=V`, `-e K` (from berth's environment, dropped when unset) and env files; files first, as docker. */
export function envList(env: string[] = [], files: string[] = []): string[] {
  const out: string[] = [];
  for (const e of [...files.flatMap(fileLines), ...env]) {
    if (e.includes('=')) out.push(e);
    else if (process.env[e] !== undefined) out.push(`${e}=${process.env[e]}`);
  }
  return out;
}

export function parseRestart(s: string | undefined): RestartPolicy | undefined {
  if (!s) return undefined;
  const [name, count] = s.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name as string))
    throw new Error(`invalid restart policy '${s}'`);
  if (count !== undefined && name !== 'on-failure')
    throw new Error(`invalid restart policy '${s}': maximum retry count can only be used with 'on-failure'`);
  return {
    Name: name as RestartPolicy['Name'],
    ...(count !== undefined ? { MaximumRetryCount: int(count, 'restart count') } : {}),
  };
}

export function parseUlimit(s: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid ulimit argument: '${s}' (expected name=soft[:hard])`);
  const soft = Number(m[2]);
  return { Name: m[1] as string, Soft: soft, Hard: m[3] === undefined ? soft : Number(m[3]) };
}

export function parseDevice(s: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = s.split(':');
  const isPerm = (p: string | undefined) => p !== undefined && /^[rwm]{1,3}$/.test(p);
  const host = parts[0] as string;
  let inCt = host;
  let perm = 'rwm';
  if (parts.length === 2) {
    if (isPerm(parts[1])) perm = parts[1] as string;
    else inCt = parts[1] as string;
  } else if (parts.length === 3) {
    inCt = parts[1] as string;
    if (!isPerm(parts[2])) throw new Error(`invalid device mode: '${parts[2]}'`);
    perm = parts[2] as string;
  } else if (parts.length > 3) throw new Error(`invalid device specification: '${s}'`);
  return { PathOnHost: host, PathInContainer: inCt, CgroupPermissions: perm };
}

type PortBindings = NonNullable<HostConfig['PortBindings']>;

function portRange(s: string): [number, number] {
  const [a, b] = s.split('-');
  const lo = int(a as string, 'port');
  const hi = b === undefined ? lo : int(b, 'port');
  if (lo < 0 || hi > 65535 || hi < lo) throw new Error(`invalid port range: '${s}'`);
  return [lo, hi];
}

/** `-p [ip:][hostPort:]containerPort[/proto]` with ranges, into exposed ports and bindings. */
export function parsePublish(specs: string[], exposed: Record<string, object>, bindings: PortBindings): void {
  for (const spec of specs) {
    const [addrPorts, proto = 'tcp'] = spec.split('/') as [string, string?];
    let ip = '';
    let rest = addrPorts;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) {
      ip = v6[1] as string;
      rest = v6[2] as string;
    }
    const parts = rest.split(':');
    let hostPart = '';
    let ctPart: string;
    if (parts.length === 1) ctPart = parts[0] as string;
    else if (parts.length === 2) [hostPart, ctPart] = parts as [string, string];
    else if (parts.length === 3 && !v6) [ip, hostPart, ctPart] = parts as [string, string, string];
    else throw new Error(`invalid port format: '${spec}'`);
    const [clo, chi] = portRange(ctPart);
    const [hlo, hhi] = hostPart ? portRange(hostPart) : [0, 0];
    const n = chi - clo;
    if (hostPart && hhi - hlo !== n && hhi !== hlo)
      throw new Error(`invalid ranges specified for container and host ports: '${spec}'`);
    for (let i = 0; i <= n; i++) {
      const key = `${clo + i}/${proto}`;
      exposed[key] = {};
      const hostPort = !hostPart ? '' : hhi === hlo && n > 0 ? `${hlo}` : `${hlo + i}`;
      const list = bindings[key] ?? [];
      list.push({ HostIp: ip, HostPort: hostPort });
      bindings[key] = list;
    }
  }
}

const truthy = (v: string | undefined) => v === undefined || v === '' || /^(1|true)$/i.test(v);

/** `--mount type=bind,source=…,target=…,readonly,…` */
export function parseMount(s: string): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  for (const field of s.split(',')) {
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? undefined : field.slice(i + 1);
    switch (k) {
      case 'type':
        if (v !== 'bind' && v !== 'volume' && v !== 'tmpfs') throw new Error(`invalid mount type: '${v}'`);
        m.Type = v;
        break;
      case 'source':
      case 'src':
        m.Source = v;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        m.Target = v ?? '';
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = truthy(v);
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: v };
        break;
      case 'bind-nonrecursive':
        m.BindOptions = { ...m.BindOptions, NonRecursive: truthy(v) };
        break;
      case 'bind-create-mountpoint':
        m.BindOptions = { ...m.BindOptions, CreateMountpoint: truthy(v) };
        break;
      case 'volume-nocopy':
        m.VolumeOptions = { ...m.VolumeOptions, NoCopy: truthy(v) };
        break;
      case 'volume-driver':
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...m.VolumeOptions?.DriverConfig, Name: v } };
        break;
      case 'volume-label': {
        const [lk, lv = ''] = (v ?? '').split(/=(.*)/s);
        m.VolumeOptions = { ...m.VolumeOptions, Labels: { ...m.VolumeOptions?.Labels, [lk as string]: lv } };
        break;
      }
      case 'volume-opt': {
        const [ok, ov = ''] = (v ?? '').split(/=(.*)/s);
        const dc = m.VolumeOptions?.DriverConfig ?? {};
        m.VolumeOptions = {
          ...m.VolumeOptions,
          DriverConfig: { ...dc, Options: { ...dc.Options, [ok as string]: ov } },
        };
        break;
      }
      case 'tmpfs-size':
        m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: parseBytes(v ?? '') };
        break;
      case 'tmpfs-mode':
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: Number.parseInt(v ?? '', 8) };
        break;
      default:
        throw new Error(`unexpected key '${k}' in '${s}'`);
    }
  }
  if (!m.Target) throw new Error(`target is required in --mount '${s}'`);
  return m;
}

/** `--security-opt seccomp=FILE` sends the profile itself, as docker does. */
function securityOpts(list: string[] = []): string[] {
  return list.map((o) => {
    const m = /^seccomp[=:](.+)$/.exec(o);
    if (!m || m[1] === 'unconfined' || (m[1] as string).startsWith('{')) return o;
    const profile = JSON.stringify(JSON.parse(readFileSync(m[1] as string, 'utf8')));
    return `seccomp=${profile}`;
  });
}

const nonEmpty = <T>(a: T[] | undefined): T[] | undefined => (a?.length ? a : undefined);

export interface CreatePlan {
  body: ContainerCreateRequest;
  name?: string;
  platform?: string;
}

/** Builds the create request of `run`/`create IMAGE [COMMAND] [ARG...]`. */
export function createRequest(image: string, args: string[], o: CreateFlags): CreatePlan {
  const detach = !!o.detach;
  const attach = new Set((o.attach ?? []).map((s) => s.toLowerCase()));
  for (const a of attach)
    if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new Error(`invalid argument "${a}" for "-a, --attach"`);
  if (detach && attach.size) throw new Error('conflicting options: cannot specify both --attach and --detach');
  const restart = parseRestart(o.restart);
  if (o.rm && restart && restart.Name !== 'no')
    throw new Error('conflicting options: cannot specify both --restart and --rm');

  const exposed: Record<string, object> = {};
  const bindings: PortBindings = {};
  parsePublish(o.publish ?? [], exposed, bindings);
  for (const e of o.expose ?? []) {
    const [p, proto = 'tcp'] = e.split('/');
    const [lo, hi] = portRange(p as string);
    for (let i = lo; i <= hi; i++) exposed[`${i}/${proto}`] = {};
  }

  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of o.volume ?? []) {
    const parts = v.split(':');
    if (parts.length === 1) volumes[v] = {};
    else if (parts.length <= 3 && parts[0] && parts[1]) binds.push(v);
    else throw new Error(`invalid volume specification: '${v}'`);
  }

  const tmpfs: Record<string, string> = {};
  for (const t of o.tmpfs ?? []) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }

  const labels: Record<string, string> = {};
  for (const l of [...(o.labelFile ?? []).flatMap(fileLines), ...(o.label ?? [])]) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }

  let healthcheck: ContainerCreateRequest['Healthcheck'];
  if (o.healthcheck === false) {
    if (o.healthCmd) throw new Error('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (
    o.healthCmd ||
    o.healthInterval ||
    o.healthTimeout ||
    o.healthRetries ||
    o.healthStartPeriod ||
    o.healthStartInterval
  ) {
    healthcheck = {
      ...(o.healthCmd ? { Test: ['CMD-SHELL', o.healthCmd] } : {}),
      ...(o.healthInterval ? { Interval: parseDuration(o.healthInterval) } : {}),
      ...(o.healthTimeout ? { Timeout: parseDuration(o.healthTimeout) } : {}),
      ...(o.healthStartPeriod ? { StartPeriod: parseDuration(o.healthStartPeriod) } : {}),
      ...(o.healthStartInterval ? { StartInterval: parseDuration(o.healthStartInterval) } : {}),
      ...(o.healthRetries ? { Retries: int(o.healthRetries, 'health retries') } : {}),
    };
  }

  const attachStdin = detach ? false : attach.size ? attach.has('stdin') : !!o.interactive;
  const attachOut = detach ? false : attach.size ? attach.has('stdout') : true;
  const attachErr = detach ? false : attach.size ? attach.has('stderr') : true;

  const hc: HostConfig = {
    Binds: nonEmpty(binds),
    Mounts: nonEmpty((o.mount ?? []).map(parseMount)),
    VolumesFrom: nonEmpty(o.volumesFrom),
    AutoRemove: !!o.rm,
    RestartPolicy: restart,
    Init: o.init ? true : undefined,
    ReadonlyRootfs: !!o.readOnly,
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    Memory: o.memory ? parseBytes(o.memory) : undefined,
    MemorySwap: o.memorySwap ? (o.memorySwap === '-1' ? -1 : parseBytes(o.memorySwap)) : undefined,
    MemoryReservation: o.memoryReservation ? parseBytes(o.memoryReservation) : undefined,
    OomKillDisable: o.oomKillDisable || undefined,
    NanoCpus: o.cpus ? Math.round(Number(o.cpus) * 1e9) : undefined,
    CpuShares: o.cpuShares ? int(o.cpuShares, 'cpu shares') : undefined,
    CpuPeriod: o.cpuPeriod ? int(o.cpuPeriod, 'cpu period') : undefined,
    CpuQuota: o.cpuQuota ? int(o.cpuQuota, 'cpu quota') : undefined,
    CpusetCpus: o.cpusetCpus,
    CpusetMems: o.cpusetMems,
    BlkioWeight: o.blkioWeight ? int(o.blkioWeight, 'blkio weight') : undefined,
    PidsLimit: o.pidsLimit ? int(o.pidsLimit, 'pids limit') : undefined,
    Ulimits: nonEmpty((o.ulimit ?? []).map(parseUlimit)),
    ShmSize: o.shmSize ? parseBytes(o.shmSize) : undefined,
    Privileged: !!o.privileged,
    CapAdd: nonEmpty(o.capAdd),
    CapDrop: nonEmpty(o.capDrop),
    SecurityOpt: nonEmpty(securityOpts(o.securityOpt)),
    Devices: nonEmpty((o.device ?? []).map(parseDevice)),
    Sysctls: o.sysctl?.length ? keyValues(o.sysctl, 'sysctl') : undefined,
    Runtime: o.runtime,
    PortBindings: Object.keys(bindings).length ? bindings : undefined,
    PublishAllPorts: !!o.publishAll,
    NetworkMode: o.network,
    ExtraHosts: nonEmpty(o.addHost),
    Dns: nonEmpty(o.dns),
    DnsSearch: nonEmpty(o.dnsSearch),
    DnsOptions: nonEmpty(o.dnsOption),
    IpcMode: o.ipc,
    PidMode: o.pid,
    UTSMode: o.uts,
    GroupAdd: nonEmpty(o.groupAdd),
    LogConfig:
      o.logDriver || o.logOpt ? { Type: o.logDriver ?? '', Config: keyValues(o.logOpt, 'log option') } : undefined,
  };
  const endpoint =
    o.ip || o.networkAlias?.length
      ? {
          [o.network ?? 'bridge']: {
            ...(o.ip ? { IPAMConfig: { IPv4Address: o.ip } } : {}),
            ...(o.networkAlias?.length ? { Aliases: o.networkAlias } : {}),
          },
        }
      : undefined;

  const body: ContainerCreateRequest = {
    Image: image,
    Cmd: args.length ? args : null,
    Entrypoint: o.entrypoint === undefined ? undefined : o.entrypoint === '' ? [''] : [o.entrypoint],
    Env: envList(o.env, o.envFile),
    WorkingDir: o.workdir ?? '',
    User: o.user ?? '',
    Hostname: o.hostname ?? '',
    Domainname: o.domainname ?? '',
    Labels: labels,
    Tty: !!o.tty,
    OpenStdin: !!o.interactive,
    StdinOnce: !!o.interactive && attachStdin,
    AttachStdin: attachStdin,
    AttachStdout: attachOut,
    AttachStderr: attachErr,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Volumes: Object.keys(volumes).length ? volumes : undefined,
    Healthcheck: healthcheck,
    StopSignal: o.stopSignal,
    StopTimeout: o.stopTimeout ? int(o.stopTimeout, 'stop timeout') : undefined,
    HostConfig: dropUndefined(hc),
    ...(endpoint ? { NetworkingConfig: { EndpointsConfig: endpoint } } : {}),
  };
  return { body: dropUndefined(body), name: o.name, platform: o.platform };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

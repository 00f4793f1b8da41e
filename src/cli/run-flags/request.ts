/** `run`/`create IMAGE [COMMAND] [ARG...]` with its flags → one `POST /containers/create` body. */
import type { ContainerCreateRequest, HostConfig } from '../../wire/containers.ts';
import type { CreateFlags } from './flags.ts';
import { parseDevice, parseRestart, parseUlimit, securityOpts } from './host-specs.ts';
import { envList, fileLines, keyValues } from './lists.ts';
import { parseMount } from './mounts.ts';
import { type PortBindings, parsePublish, portRange } from './ports.ts';
import { int, parseBytes, parseDuration } from './units.ts';

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

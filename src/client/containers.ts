/**
 * Typed Engine API calls for containers and exec, each taking an
 * EngineClient. Hijacked streams (attach, exec start) are in hijack.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  ContainerConfig,
  ContainerCreateRequest,
  ContainerState,
  ContainerSummary,
  HostConfig,
  MountPoint,
} from '../wire/containers.ts';
import type { ProgressMessage } from '../wire/images.ts';
import { type EngineClient, type Filters, readAll } from './client.ts';

export type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** `GET /containers/{id}/json`: the fields berth reads. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Image: string;
  State: ContainerState;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkSettings: { Ports?: PortMap | null; Networks?: Record<string, unknown>; IPAddress?: string };
  Mounts: MountPoint[];
  RestartCount: number;
  [key: string]: unknown;
}

export interface WaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[];
  Cmd: string[];
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  ContainerID: string;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; user?: string; privileged?: boolean };
  OpenStdin: boolean;
  [key: string]: unknown;
}

export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

export interface ChangeItem {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** One `GET /containers/{id}/stats` sample (the fields `docker stats` shows). */
export interface StatsSample {
  read: string;
  preread?: string;
  id?: string;
  name?: string;
  num_procs?: number;
  pids_stats?: { current?: number; limit?: number };
  cpu_stats: {
    cpu_usage: { total_usage: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats: StatsSample['cpu_stats'];
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null };
}

/** The stat of a path inside a container (`X-Docker-Container-Path-Stat`, base64 JSON). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** `docker update`: the resource fields of HostConfig, and the restart policy. */
export type UpdateRequest = Pick<
  HostConfig,
  | 'Memory'
  | 'MemorySwap'
  | 'MemoryReservation'
  | 'NanoCpus'
  | 'CpuShares'
  | 'CpuPeriod'
  | 'CpuQuota'
  | 'CpusetCpus'
  | 'CpusetMems'
  | 'PidsLimit'
  | 'BlkioWeight'
  | 'RestartPolicy'
>;

const enc = encodeURIComponent;
const c = (id: string) => `/containers/${enc(id)}`;
const done = async (res: Promise<IncomingMessage>) => void (await readAll(await res));
const filterQuery = (f?: Filters) => (f && Object.keys(f).length ? JSON.stringify(f) : undefined);

export function createContainer(
  api: EngineClient,
  body: ContainerCreateRequest,
  o: { name?: string; platform?: string } = {},
): Promise<{ Id: string; Warnings: string[] | null }> {
  return api.json({
    method: 'POST',
    path: '/containers/create',
    query: { name: o.name, platform: o.platform },
    body,
  });
}

export function listContainers(
  api: EngineClient,
  o: { all?: boolean; limit?: number; size?: boolean; filters?: Filters } = {},
): Promise<ContainerSummary[]> {
  return api.json({
    path: '/containers/json',
    query: { all: o.all, limit: o.limit, size: o.size, filters: filterQuery(o.filters) },
  });
}

export function inspectContainer(api: EngineClient, id: string, size = false): Promise<ContainerInspect> {
  return api.json({ path: `${c(id)}/json`, query: { size: size || undefined } });
}

export function startContainer(api: EngineClient, id: string): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/start` }));
}

export function stopContainer(api: EngineClient, id: string, o: { timeout?: number; signal?: string } = {}) {
  return done(api.send({ method: 'POST', path: `${c(id)}/stop`, query: { t: o.timeout, signal: o.signal } }));
}

export function restartContainer(api: EngineClient, id: string, o: { timeout?: number; signal?: string } = {}) {
  return done(api.send({ method: 'POST', path: `${c(id)}/restart`, query: { t: o.timeout, signal: o.signal } }));
}

export function killContainer(api: EngineClient, id: string, signal?: string): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/kill`, query: { signal } }));
}

export function pauseContainer(api: EngineClient, id: string): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/pause` }));
}

export function unpauseContainer(api: EngineClient, id: string): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/unpause` }));
}

export function renameContainer(api: EngineClient, id: string, name: string): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/rename`, query: { name } }));
}

export function removeContainer(api: EngineClient, id: string, o: { force?: boolean; volumes?: boolean } = {}) {
  return done(api.send({ method: 'DELETE', path: c(id), query: { force: o.force, v: o.volumes } }));
}

export function pruneContainers(
  api: EngineClient,
  filters?: Filters,
): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
  return api.json({ method: 'POST', path: '/containers/prune', query: { filters: filterQuery(filters) } });
}

/**
 * `POST /containers/{id}/wait` in two steps, as docker's CLI does before
 * start: the first promise settles once the daemon has registered the wait
 * (response headers), the inner one with the exit status.
 */
export async function waitContainer(
  api: EngineClient,
  id: string,
  condition: 'not-running' | 'next-exit' | 'removed' = 'not-running',
): Promise<{ result: Promise<WaitResponse> }> {
  const res = await api.send({ method: 'POST', path: `${c(id)}/wait`, query: { condition } });
  const result = readAll(res).then((t) => {
    if (!t.trim()) throw new Error('the daemon closed the wait without a status');
    return JSON.parse(t) as WaitResponse;
  });
  result.catch(() => {});
  return { result };
}

export function resizeContainer(api: EngineClient, id: string, h: number, w: number): Promise<void> {
  return done(api.send({ method: 'POST', path: `${c(id)}/resize`, query: { h, w } }));
}

export function containerLogs(
  api: EngineClient,
  id: string,
  o: { follow?: boolean; tail?: string; since?: string; until?: string; timestamps?: boolean; details?: boolean },
): Promise<IncomingMessage> {
  return api.send({
    path: `${c(id)}/logs`,
    query: {
      stdout: true,
      stderr: true,
      follow: o.follow,
      tail: o.tail,
      since: o.since,
      until: o.until,
      timestamps: o.timestamps,
      details: o.details,
    },
  });
}

export function topContainer(api: EngineClient, id: string, psArgs?: string): Promise<TopResponse> {
  return api.json({ path: `${c(id)}/top`, query: { ps_args: psArgs } });
}

/** One sample (`stream=false`) or a stream of samples (JSON lines). */
export function statsOnce(api: EngineClient, id: string): Promise<StatsSample> {
  return api.json({ path: `${c(id)}/stats`, query: { stream: false } });
}

export function statsStream(api: EngineClient, id: string): AsyncGenerator<StatsSample> {
  return api.jsonLines<StatsSample>({ path: `${c(id)}/stats`, query: { stream: true } });
}

export function containerChanges(api: EngineClient, id: string): Promise<ChangeItem[] | null> {
  return api.json({ path: `${c(id)}/changes` });
}

export function exportContainer(api: EngineClient, id: string): Promise<IncomingMessage> {
  return api.send({ path: `${c(id)}/export` });
}

export function updateContainer(
  api: EngineClient,
  id: string,
  body: UpdateRequest,
): Promise<{ Warnings: string[] | null }> {
  return api.json({ method: 'POST', path: `${c(id)}/update`, body });
}

export function commitContainer(
  api: EngineClient,
  id: string,
  o: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] },
  config?: Partial<ContainerConfig>,
): Promise<{ Id: string }> {
  return api.json({
    method: 'POST',
    path: '/commit',
    query: {
      container: id,
      repo: o.repo,
      tag: o.tag,
      comment: o.comment,
      author: o.author,
      pause: o.pause,
      changes: o.changes,
    },
    body: config ?? {},
  });
}

function decodeStat(res: IncomingMessage): PathStat | undefined {
  const h = res.headers['x-docker-container-path-stat'];
  if (typeof h !== 'string' || !h) return undefined;
  return JSON.parse(Buffer.from(h, 'base64').toString('utf8')) as PathStat;
}

/** `HEAD /containers/{id}/archive`: the stat of a path (NotFound as ApiError 404). */
export async function statPath(api: EngineClient, id: string, path: string): Promise<PathStat> {
  const res = await api.send({ method: 'HEAD', path: `${c(id)}/archive`, query: { path } });
  res.resume();
  const st = decodeStat(res);
  if (!st) throw new Error(`the daemon sent no stat for ${path}`);
  return st;
}

/** `GET /containers/{id}/archive`: a tar of the path, and its stat. */
export async function getArchive(
  api: EngineClient,
  id: string,
  path: string,
): Promise<{ tar: IncomingMessage; stat: PathStat | undefined }> {
  const res = await api.send({ path: `${c(id)}/archive`, query: { path } });
  return { tar: res, stat: decodeStat(res) };
}

/** `PUT /containers/{id}/archive`: unpacks a tar into the directory `path`. */
export function putArchive(
  api: EngineClient,
  id: string,
  path: string,
  tar: Readable,
  o: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {},
): Promise<void> {
  return done(
    api.send({
      method: 'PUT',
      path: `${c(id)}/archive`,
      query: { path, noOverwriteDirNonDir: o.noOverwriteDirNonDir, copyUIDGID: o.copyUIDGID },
      stream: tar,
    }),
  );
}

export function createExec(api: EngineClient, id: string, body: ExecCreateRequest): Promise<{ Id: string }> {
  return api.json({ method: 'POST', path: `${c(id)}/exec`, body });
}

export function inspectExec(api: EngineClient, execId: string): Promise<ExecInspect> {
  return api.json({ path: `/exec/${enc(execId)}/json` });
}

export function resizeExec(api: EngineClient, execId: string, h: number, w: number): Promise<void> {
  return done(api.send({ method: 'POST', path: `/exec/${enc(execId)}/resize`, query: { h, w } }));
}

/** `POST /exec/{id}/start` with `Detach: true` (no stream). */
export function startExecDetached(api: EngineClient, execId: string, tty: boolean): Promise<void> {
  return done(api.send({ method: 'POST', path: `/exec/${enc(execId)}/start`, body: { Detach: true, Tty: tty } }));
}

/** `POST /images/create?fromImage=…`: pulls an image (progress messages; an error line throws). */
export function pullImage(api: EngineClient, ref: string, platform?: string): AsyncGenerator<ProgressMessage> {
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const hasTag = at < 0 && colon > ref.lastIndexOf('/');
  const fromImage = at >= 0 ? ref.slice(0, at) : hasTag ? ref.slice(0, colon) : ref;
  const tag = at >= 0 ? ref.slice(at + 1) : hasTag ? ref.slice(colon + 1) : 'latest';
  return api.jsonLines({ method: 'POST', path: '/images/create', query: { fromImage, tag, platform } });
}

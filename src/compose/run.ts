/**
 * `run` (a one-off container of a service) and `exec` (a command in a
 * running replica), attached through the hijacked attach/exec streams.
 */
import { randomBytes } from 'node:crypto';
import type { EngineClient } from '../client/client.ts';
import {
  createContainer,
  createExec,
  inspectExec,
  removeContainer,
  startContainer,
  startExecDetached,
  waitContainer,
} from '../client/containers.ts';
import { attachSocket, execStartSocket, pump } from '../client/hijack.ts';
import { replicaRequest } from './convert.ts';
import { ComposeError } from './errors.ts';
import { withDependencies } from './graph.ts';
import { serviceHash } from './hash.ts';
import { ensureImages, imageOf } from './images.ts';
import { ensureNetworks, ensureVolumes, usedNetworks, usedVolumes } from './resources.ts';
import { projectContainers, type Reporter } from './state.ts';
import type { Project, ServiceConfig } from './types.ts';
import { up } from './up.ts';

export interface Stdio {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (b: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface RunOptions {
  command?: string[];
  entrypoint?: string[];
  rm?: boolean;
  detach?: boolean;
  noDeps?: boolean;
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  name?: string;
  tty?: boolean;
  interactive?: boolean;
  servicePorts?: boolean;
  labels?: Record<string, string>;
  volumes?: string[];
}

/** Runs a one-off container; resolves with its exit code (0 when detached, then prints its ID). */
/** Connects a hijacked stream to the terminal (raw mode for a TTY); the caller restores raw mode. */
function terminalPump(
  socket: import('node:stream').Duplex,
  head: Buffer,
  io: Stdio,
  o: { tty?: boolean; interactive?: boolean },
): { h: ReturnType<typeof pump>; rawMode: boolean } {
  const rawMode = !!(o.tty && io.stdin.isTTY && io.stdin.setRawMode);
  if (rawMode) io.stdin.setRawMode?.(true);
  const h = pump(socket, head, {
    tty: !!o.tty,
    stdin: o.interactive ? (io.stdin as unknown as import('node:stream').Readable) : null,
    stdout: io.stdout as unknown as import('node:stream').Writable,
    stderr: io.stderr as unknown as import('node:stream').Writable,
  });
  return { h, rawMode };
}

export async function run(api: EngineClient, p: Project, service: string, r: Reporter, io: Stdio, o: RunOptions) {
  const base = p.services[service] ?? p.disabled[service];
  if (!base) throw new ComposeError(`no such service: ${service}`);
  const deps = withDependencies(p.services, [service]).filter((s) => s !== service);
  if (!o.noDeps && deps.length) await up(api, p, r, { services: deps });
  const s: ServiceConfig = {
    ...base,
    command: o.command?.length ? o.command : base.command,
    entrypoint: o.entrypoint ?? base.entrypoint,
    environment: { ...(base.environment ?? {}), ...(o.env ?? {}) },
    user: o.user ?? base.user,
    working_dir: o.workdir ?? base.working_dir,
    labels: { ...(base.labels ?? {}), ...(o.labels ?? {}) },
    ports: o.servicePorts ? base.ports : undefined,
    restart: undefined,
    tty: o.tty ?? false,
    stdin_open: o.interactive ?? false,
    container_name: undefined,
  };
  const one: Project = { ...p, services: { ...p.services, [service]: s } };
  const used = [service];
  await ensureNetworks(api, one, usedNetworks(one, used), r);
  await ensureVolumes(api, one, usedVolumes(one, used), r);
  await ensureImages(api, one, used, r);
  const image = imageOf(one, service);
  const name = o.name ?? `${p.name}-${service}-run-${randomBytes(6).toString('hex')}`;
  const req = replicaRequest({ project: one, service, number: 1, image, hash: serviceHash(s), oneoff: true }, name);
  req.AttachStdin = !!o.interactive;
  req.StdinOnce = !!o.interactive;
  if (o.volumes?.length)
    req.HostConfig = { ...req.HostConfig, Binds: [...(req.HostConfig?.Binds ?? []), ...o.volumes] };
  const { Id } = await createContainer(api, req, { name });
  if (o.detach) {
    await startContainer(api, Id);
    io.stdout.write(`${name}\n`);
    return 0;
  }
  const { socket, head } = await attachSocket(api, Id, { stdin: !!o.interactive, stdout: true, stderr: true });
  const wait = await waitContainer(api, Id, 'next-exit');
  const { h, rawMode } = terminalPump(socket, head, io, o);
  try {
    await startContainer(api, Id);
    const [status] = await Promise.all([wait.result, h.done]);
    return status.StatusCode;
  } finally {
    if (rawMode) io.stdin.setRawMode?.(false);
    h.close();
    if (o.rm) await removeContainer(api, Id, { force: true, volumes: true }).catch(() => {});
  }
}

export interface ExecOptions {
  command: string[];
  index?: number;
  detach?: boolean;
  tty?: boolean;
  interactive?: boolean;
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
  privileged?: boolean;
}

export async function exec(api: EngineClient, p: Project, service: string, io: Stdio, o: ExecOptions): Promise<number> {
  const cs = (await projectContainers(api, p.name)).filter((c) => c.service === service && c.state === 'running');
  const c = cs.find((x) => x.number === (o.index ?? 1)) ?? (o.index ? undefined : cs[0]);
  if (!c) throw new ComposeError(`service "${service}" is not running`);
  const { Id } = await createExec(api, c.id, {
    Cmd: o.command,
    AttachStdin: !!o.interactive && !o.detach,
    AttachStdout: !o.detach,
    AttachStderr: !o.detach,
    Tty: !!o.tty,
    User: o.user,
    WorkingDir: o.workdir,
    Env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Privileged: o.privileged,
  });
  if (o.detach) {
    await startExecDetached(api, Id, !!o.tty);
    return 0;
  }
  const { socket, head } = await execStartSocket(api, Id, { tty: !!o.tty });
  const { h, rawMode } = terminalPump(socket, head, io, o);
  try {
    await h.done;
  } finally {
    if (rawMode) io.stdin.setRawMode?.(false);
    h.close();
  }
  return (await inspectExec(api, Id)).ExitCode ?? 0;
}

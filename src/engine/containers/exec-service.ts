/**
 * `docker exec`: sessions created against a running container and started
 * under their own conmon. Sessions live in memory (as Docker's do) and are
 * dropped with their container.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import type { Attachment } from '../../runtime/attach.ts';
import { resolveCapabilities } from '../../runtime/capabilities-default.ts';
import type { ExecProcess } from '../../runtime/exec.ts';
import type { OciProcess, OciSpec } from '../../runtime/oci-types.ts';
import type { ContainerService } from './container-service.ts';
import { resolveUser } from './user.ts';

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[];
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecRecord {
  ID: string;
  ContainerID: string;
  config: ExecConfig;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  session?: ExecProcess;
  done?: Promise<number>;
}

export class ExecService {
  private execs = new Map<string, ExecRecord>();
  private containers: ContainerService;

  constructor(containers: ContainerService) {
    this.containers = containers;
  }

  create(containerRef: string, config: ExecConfig): { Id: string } {
    const rec = this.containers.get(containerRef);
    if (!rec.State.Running) throw new ConflictError(`container ${rec.Id} is not running`);
    if (rec.State.Paused) throw new ConflictError(`container ${rec.Id} is paused, unpause the container before exec`);
    if (!config.Cmd?.length) throw new ConflictError('no exec command specified');
    const id = randomId();
    this.execs.set(id, { ID: id, ContainerID: rec.Id, config, Running: false, ExitCode: null, Pid: 0 });
    // In memory only (sessions do not outlive the daemon); the next save of the record carries it.
    rec.ExecIDs = [...(rec.ExecIDs ?? []), id];
    return { Id: id };
  }

  get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw new NotFoundError(`No such exec instance: ${id}`);
    return e;
  }

  /** The OCI process for the session: the container's, with the exec's overrides. */
  private process(e: ExecRecord): OciProcess {
    const rec = this.containers.get(e.ContainerID);
    const p = this.containers.paths(rec.Id);
    const spec = JSON.parse(readFileSync(join(p.bundle, 'config.json'), 'utf8')) as OciSpec;
    const base = spec.process as OciProcess;
    const c = e.config;
    const env = [...base.env];
    for (const kv of c.Env ?? []) {
      const k = kv.split('=')[0];
      const i = env.findIndex((x) => x.split('=')[0] === k);
      if (i >= 0) env[i] = kv;
      else env.push(kv);
    }
    const user = c.User ? resolveUser(p.rootfs, c.User) : undefined;
    const caps = c.Privileged ? resolveCapabilities({ privileged: true }) : undefined;
    return {
      ...base,
      terminal: !!c.Tty,
      consoleSize:
        c.ConsoleSize && c.ConsoleSize[0] > 0 ? { height: c.ConsoleSize[0], width: c.ConsoleSize[1] } : undefined,
      args: c.Cmd as string[],
      env,
      cwd: c.WorkingDir || base.cwd,
      user: user ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : base.user,
      ...(caps
        ? { capabilities: { bounding: caps, effective: caps, inheritable: [], permitted: caps, ambient: [] } }
        : {}),
    };
  }

  /** Starts the session; with `attach`, its attachment is connected before the process runs. */
  async start(
    id: string,
    o: { attach: boolean; tty?: boolean },
  ): Promise<{ exec: ExecRecord; attachment?: Attachment }> {
    const e = this.get(id);
    if (e.Running || e.ExitCode !== null) throw new ConflictError(`exec ${id} has already been started`);
    const rec = this.containers.get(e.ContainerID);
    if (!rec.State.Running) throw new ConflictError(`container ${rec.Id} is not running`);
    if (o.tty !== undefined) e.config.Tty = o.tty;
    const session = await this.containers.runtimeFor().exec(this.containers.handle(rec), {
      sessionId: id.slice(0, 16),
      process: this.process(e),
      stdin: !!e.config.AttachStdin && o.attach,
      attach: o.attach,
    });
    e.session = session;
    e.Pid = session.pid;
    e.Running = true;
    this.containers.publishExec(rec, 'exec_start', e.config.Cmd?.join(' ') ?? '', id);
    e.done = session.wait().then((code) => {
      e.Running = false;
      e.ExitCode = code;
      this.containers.publishExec(rec, 'exec_die', e.config.Cmd?.join(' ') ?? '', id, code);
      setTimeout(() => session.remove(), 50);
      return code;
    });
    return { exec: e, attachment: session.attachment };
  }

  /** Runs a command in the container to its end (healthchecks): exit code and first 4 KiB of output. */
  async run(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const rec = this.containers.get(containerId);
    const e: ExecRecord = {
      ID: randomId(),
      ContainerID: rec.Id,
      config: { Cmd: cmd, AttachStdout: true, AttachStderr: true },
      Running: false,
      ExitCode: null,
      Pid: 0,
    };
    const session = await this.containers.runtimeFor().exec(this.containers.handle(rec), {
      sessionId: `h${e.ID.slice(0, 15)}`,
      process: this.process(e),
      attach: true,
    });
    let output = '';
    session.attachment?.onData((_s, d) => {
      if (output.length < 4096) output += d.toString('utf8');
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        session.kill('SIGKILL');
        resolve(-1);
      }, timeoutMs);
    });
    const exitCode = await Promise.race([session.wait(), timedOut]);
    clearTimeout(timer);
    session.attachment?.close();
    setTimeout(() => session.remove(), 50);
    return {
      exitCode,
      output: exitCode === -1 ? `Health check exceeded timeout (${timeoutMs / 1000}s)` : output.slice(0, 4096),
    };
  }

  /** Records a session that could not start (the runtime refused its command). */
  fail(id: string, exitCode: number): void {
    const e = this.get(id);
    e.Running = false;
    e.ExitCode = exitCode;
  }

  resize(id: string, h: number, w: number, resize: (dir: string, h: number, w: number) => void): void {
    const e = this.get(id);
    if (!e.session) throw new ConflictError(`exec ${id} is not running`);
    resize(e.session.dir, h, w);
  }

  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    const c = e.config;
    return {
      ID: e.ID,
      Running: e.Running,
      ExitCode: e.ExitCode,
      ProcessConfig: {
        tty: !!c.Tty,
        entrypoint: c.Cmd?.[0] ?? '',
        arguments: c.Cmd?.slice(1) ?? [],
        privileged: !!c.Privileged,
        user: c.User ?? '',
      },
      OpenStdin: !!c.AttachStdin,
      OpenStderr: !!c.AttachStderr,
      OpenStdout: !!c.AttachStdout,
      CanRemove: false,
      ContainerID: e.ContainerID,
      DetachKeys: c.DetachKeys ?? '',
      Pid: e.Pid,
    };
  }

  /** Forgets the sessions of a removed container. */
  dropContainer(containerId: string): void {
    for (const [id, e] of this.execs) if (e.ContainerID === containerId) this.execs.delete(id);
  }
}

/**
 * The containers domain: create, start, stop, kill, restart, pause, remove,
 * rename and wait, over the runtime layer (conmon + crun/runc). The daemon
 * is never a container's parent; this service watches exit files and
 * records what happened, also after a daemon restart (reconcile()).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError,
  errorMessage,
  InternalError,
  InvalidArgumentError,
  NotModifiedError,
} from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/log.ts';
import { attach as attachSocket } from '../../runtime/attach.ts';
import type { ExitInfo } from '../../runtime/exit-file.ts';
import {
  type ContainerHandle,
  type ContainerRuntime,
  removeBundleFiles,
  writeBundleConfig,
} from '../../runtime/monitor.ts';
import { buildResources } from '../../runtime/resources.ts';
import { buildSpec } from '../../runtime/spec.ts';
import type { OverlaySnapshotter } from '../../store/snapshots.ts';
import type { ContainerCreateRequest } from '../../wire/containers.ts';
import type { EventBus } from '../events.ts';
import type { ImageService } from '../images/image-service.ts';
import type { Unpacker } from '../images/unpack.ts';
import type { ContainerNetworking } from '../networks/sandbox.ts';
import { ANONYMOUS_LABEL, type VolumeService } from '../volumes/volume-service.ts';
import { writeEtcFiles } from './etc-files.ts';
import { LiveTable } from './live.ts';
import { rotationPolicy, watchLogSize } from './log-rotation.ts';
import { commandOf, mergeConfig } from './merge-config.ts';
import { type ContainerMount, resolveMounts, runtimeMounts } from './mounts.ts';
import { randomName } from './names.ts';
import { type ContainerPaths, containerPaths } from './paths.ts';
import { type ContainerRecord, initialState } from './record.ts';
import type { ContainerRecords } from './records.ts';
import { backoffMs, shouldRestart, validatePolicy } from './restart-policy.ts';
import { resourcesOf, runtimeInput } from './runtime-input.ts';
import { parseSignal } from './signals.ts';
import { guardPause, guardRunning, guardStart, guardUnpause, setExited, setRunning, short } from './state.ts';
import { resolveUser } from './user.ts';

export interface ContainerServiceDeps {
  dataRoot: string;
  execRoot: string;
  cgroupParent: string;
  defaultRuntime: 'crun' | 'runc';
  images: ImageService;
  unpacker: Unpacker;
  snapshots: OverlaySnapshotter;
  events: EventBus;
  runtime: ContainerRuntime;
  records: ContainerRecords;
  volumes: VolumeService;
  /** Networks (bridge, DNS, published ports): wired at start, torn down after exit. */
  networks?: ContainerNetworking;
  log: Logger;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export class ContainerService {
  readonly records: ContainerRecords;
  readonly live = new LiveTable();
  /** Called after every successful start (healthchecks hook in here). */
  onStarted: (rec: ContainerRecord) => void = () => {};
  private d: ContainerServiceDeps;

  constructor(deps: ContainerServiceDeps) {
    this.d = deps;
    this.records = deps.records;
  }

  paths(id: string): ContainerPaths {
    return containerPaths(this.d.dataRoot, this.d.execRoot, id);
  }

  handle(rec: ContainerRecord): ContainerHandle {
    return { id: rec.Id, bundle: this.paths(rec.Id).bundle, runtime: rec.runtime };
  }

  get(ref: string): ContainerRecord {
    return this.records.get(ref);
  }

  get cgroupParent(): string {
    return this.d.cgroupParent;
  }

  runtimeFor(): ContainerRuntime {
    return this.d.runtime;
  }

  publishHealth(rec: ContainerRecord, status: string): void {
    this.publish(rec, `health_status: ${status}`);
  }

  publishExec(
    rec: ContainerRecord,
    action: 'exec_start' | 'exec_die',
    cmd: string,
    execId: string,
    exitCode?: number,
  ): void {
    this.publish(rec, `${action}: ${cmd}`, {
      execID: execId,
      ...(exitCode !== undefined ? { exitCode: String(exitCode) } : {}),
    });
  }

  private publish(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.publish('container', action, rec.Id, {
      ...rec.Config.Labels,
      image: rec.Config.Image,
      name: rec.Name.slice(1),
      ...extra,
    });
  }

  async create(req: ContainerCreateRequest, name?: string): Promise<{ Id: string; Warnings: string[] }> {
    if (!req.Image) throw new InvalidArgumentError('no image specified: give an image to create the container from');
    const img = this.d.images.get(req.Image);
    const cfg = await this.d.images.config(img.id);
    const id = randomId();
    const fullName = name ? this.records.checkName(name) : `/${randomName((n) => this.records.find(n) !== undefined)}`;
    const hc = req.HostConfig ?? {};
    validatePolicy(hc.RestartPolicy, !!hc.AutoRemove);
    buildResources(resourcesOf(hc)); // refuses bad limits now (400), not at start
    rotationPolicy(hc);
    const runtime = (hc.Runtime || this.d.defaultRuntime) as 'crun' | 'runc';
    if (runtime !== 'crun' && runtime !== 'runc')
      throw new InvalidArgumentError(`unknown or invalid runtime name: ${hc.Runtime}`);
    const config = mergeConfig(req, cfg, req.Image, id);
    const { path, args } = commandOf(config);
    const mounts = resolveMounts(hc, config.Volumes, this.d.volumes);
    const networks = this.d.networks?.plan(hc, req.NetworkingConfig) ?? {}; // networks: mode and endpoints
    const top = await this.d.unpacker.unpack(img);
    await this.d.snapshots.createActive(id, top);
    const p = this.paths(id);
    await mkdir(p.dir, { recursive: true, mode: 0o710 });
    const rec: ContainerRecord = {
      Id: id,
      Name: fullName,
      Created: new Date().toISOString(),
      Path: path,
      Args: args,
      Config: config,
      HostConfig: {
        NetworkMode: 'none',
        ...hc,
        Runtime: runtime,
        LogConfig: { Type: 'k8s-file', Config: hc.LogConfig?.Config ?? {} },
      },
      Image: img.id,
      State: initialState(),
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: 'linux',
      Mounts: mounts,
      ExecIDs: [],
      runtime,
      snapshotKey: id,
      manuallyStopped: false,
      networks,
    };
    try {
      this.records.insert(rec);
    } catch (e) {
      await this.d.snapshots.remove(id).catch(() => {});
      rmSync(p.dir, { recursive: true, force: true });
      throw e;
    }
    this.publish(rec, 'create');
    return { Id: id, Warnings: [] };
  }

  async start(ref: string): Promise<void> {
    const rec = this.get(ref);
    const live = this.live.get(rec.Id);
    await live.serial(async () => {
      guardStart(this.get(rec.Id));
      clearTimeout(live.restartTimer);
      rec.manuallyStopped = false;
      try {
        await this.run(rec);
      } catch (e) {
        // A --rm container whose start failed is removed, as Docker does (the CLI waits for that).
        if (rec.HostConfig.AutoRemove) await this.remove(rec.Id, { force: true, volumes: true }).catch(() => {});
        throw e;
      }
    });
  }

  /** Mounts, writes the bundle, creates under conmon, connects attach clients, starts. */
  private async run(rec: ContainerRecord): Promise<void> {
    const p = this.paths(rec.Id);
    const h = this.handle(rec);
    const live = this.live.get(rec.Id);
    await live.cleaning;
    const t0 = performance.now();
    const steps: Record<string, number> = {};
    const step = (name: string) => {
      steps[name] = Math.round(performance.now() - t0);
    };
    mkdirSync(p.bundle, { recursive: true, mode: 0o700 });
    mkdirSync(p.rootfs, { recursive: true });
    this.d.snapshots.unmount(p.rootfs);
    this.d.snapshots.mountAt(rec.snapshotKey, p.rootfs);
    try {
      step('mount');
      const user = resolveUser(p.rootfs, rec.Config.User, rec.HostConfig.GroupAdd ?? []);
      if (rec.Config.WorkingDir) mkdirSync(join(p.rootfs, rec.Config.WorkingDir), { recursive: true });
      const net = (await this.d.networks?.attach(rec)) ?? { addresses: [] }; // networks: namespace, veths, ports
      step('network');
      await writeEtcFiles(p, {
        hostname: rec.Config.Hostname,
        domainname: rec.Config.Domainname,
        addresses: net.addresses,
        embeddedDns: net.embeddedDns,
        extraHosts: rec.HostConfig.ExtraHosts ?? [],
        dns: rec.HostConfig.Dns ?? undefined,
        dnsSearch: rec.HostConfig.DnsSearch ?? undefined,
        dnsOptions: rec.HostConfig.DnsOptions ?? undefined,
      });
      const mounts = await runtimeMounts(rec.Mounts as ContainerMount[], p.rootfs, this.d.volumes);
      const spec = buildSpec(
        runtimeInput({ rec, paths: p, user, mounts, netns: net.netns, cgroupParent: this.d.cgroupParent }),
      );
      await writeBundleConfig(p.bundle, spec);
      step('bundle');
      this.d.runtime.clearExit(h);
      const { pid } = await this.d.runtime.createContainer({
        ...h,
        logPath: p.log,
        stdin: rec.Config.OpenStdin,
        // A TTY's stdin stays open when a client detaches (docker attach comes back), as Docker's.
        leaveStdinOpen: rec.Config.Tty || !rec.Config.StdinOnce,
        tty: rec.Config.Tty,
        name: rec.Name.slice(1),
      });
      step('create');
      const pending = live.pendingAttach.splice(0);
      await Promise.all(pending.map((a) => a.connect(p.bundle).catch(() => a.end())));
      try {
        await this.d.runtime.startContainer(h);
      } catch (e) {
        await this.d.runtime.delete(h, { force: true }).catch(() => {});
        throw e;
      }
      step('start');
      setRunning(rec.State, pid);
      this.records.save(rec);
      this.watchExit(rec);
      this.publish(rec, 'start');
      this.onStarted(rec);
      const rotation = rotationPolicy(rec.HostConfig);
      if (rotation) live.stopLogWatch = watchLogSize(p.log, p.bundle, rotation);
      this.d.log.debug('container started', { id: rec.Id, runtime: rec.runtime, ms: steps });
    } catch (e) {
      this.d.networks?.detach(rec); // networks
      this.d.snapshots.unmount(p.rootfs);
      for (const a of live.pendingAttach.splice(0)) a.end();
      const err = startError(e);
      rec.State.Error = err.message;
      rec.State.ExitCode = /executable file not found/.test(err.message)
        ? 127
        : /permission denied/.test(err.message)
          ? 126
          : 128;
      this.records.save(rec);
      throw err;
    }
  }

  /** Watches for the container's exit (in this daemon's life). */
  watchExit(rec: ContainerRecord): void {
    const live = this.live.get(rec.Id);
    live.watch?.abort();
    const ac = new AbortController();
    live.watch = ac;
    live.exiting = this.d.runtime.waitExit(this.handle(rec), { signal: ac.signal });
    live.exiting.then(
      (info) => void this.onExit(rec.Id, info),
      (e) => {
        if (!ac.signal.aborted) this.d.log.error('lost the exit watch of a container', { id: rec.Id, error: e });
      },
    );
  }

  private async onExit(id: string, info: ExitInfo): Promise<void> {
    const rec = this.records.find(id);
    if (!rec) return;
    const live = this.live.get(id);
    setExited(rec.State, info.exitCode, info.oomKilled, info.finishedAt);
    this.records.save(rec);
    if (info.oomKilled) this.publish(rec, 'oom');
    this.publish(rec, 'die', { exitCode: String(info.exitCode) });
    live.events.emit('exit', info.exitCode);
    live.stopLogWatch?.();
    if (rec.HostConfig.AutoRemove) {
      await this.remove(id, { force: true, volumes: true }).catch((e) =>
        this.d.log.warn('auto-remove failed', { id, error: e }),
      );
      return;
    }
    live.cleaning = this.cleanupRuntime(rec);
    await live.cleaning;
    if (shouldRestart(rec, info.exitCode)) this.scheduleRestart(rec);
  }

  scheduleRestart(rec: ContainerRecord): void {
    const live = this.live.get(rec.Id);
    rec.State.Restarting = true;
    rec.State.Status = 'restarting';
    this.records.save(rec);
    live.restartTimer = setTimeout(() => {
      void live.serial(async () => {
        const cur = this.records.find(rec.Id);
        if (!cur?.State.Restarting) return;
        cur.RestartCount++;
        cur.State.Restarting = false;
        try {
          await this.run(cur);
          this.publish(cur, 'restart');
        } catch (e) {
          setExited(cur.State, 128, false, new Date(), errorMessage(e));
          this.records.save(cur);
          if (shouldRestart(cur, 128)) this.scheduleRestart(cur);
        }
      });
    }, backoffMs(rec));
  }

  /** Cleanup after an exit seen by reconciliation. */
  afterExitCleanup(rec: ContainerRecord): Promise<void> {
    return this.cleanupRuntime(rec);
  }

  /** After an exit: the runtime forgets the container, the rootfs is unmounted. */
  private async cleanupRuntime(rec: ContainerRecord): Promise<void> {
    this.d.networks?.detach(rec); // networks: bookkeeping now, kernel work in the background
    const h = this.handle(rec);
    await this.d.runtime
      .delete(h, { force: true })
      .catch((e) => this.d.log.warn('runtime delete failed', { id: rec.Id, error: e }));
    this.d.snapshots.unmount(this.paths(rec.Id).rootfs);
    removeBundleFiles(h.bundle);
  }

  async stop(ref: string, o: { signal?: string; timeout?: number } = {}): Promise<void> {
    const rec = this.get(ref);
    const live = this.live.get(rec.Id);
    // The user's stop counts even when it finds the container between an exit and the
    // scheduling of its restart: the restart policy must not bring it back (as Docker's).
    rec.manuallyStopped = true;
    if (rec.State.Restarting) {
      clearTimeout(live.restartTimer);
      setExited(rec.State, rec.State.ExitCode, false, new Date());
      this.records.save(rec);
      return;
    }
    this.records.save(rec);
    if (!rec.State.Running) throw new NotModifiedError(`container ${short(rec)} is already stopped`);
    const signal = parseSignal(o.signal || rec.Config.StopSignal, 'SIGTERM');
    const timeout = o.timeout ?? rec.Config.StopTimeout ?? 10;
    const h = this.handle(rec);
    if (rec.State.Paused) await this.unpause(rec.Id).catch(() => {});
    const exited = this.waitFor(rec.Id, 'next-exit');
    await this.d.runtime.kill(h, signal).catch(() => {});
    const inTime =
      timeout < 0
        ? await exited.then(() => true)
        : await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
    if (!inTime) {
      await this.d.runtime.kill(h, 'SIGKILL', true).catch(() => {});
      await exited;
    }
    this.publish(rec, 'stop');
  }

  async kill(ref: string, signal?: string): Promise<void> {
    const rec = this.get(ref);
    guardRunning(rec, 'kill');
    const sig = parseSignal(signal, 'SIGKILL');
    if (sig === 'SIGKILL') rec.manuallyStopped = true;
    await this.d.runtime.kill(this.handle(rec), sig);
    this.publish(rec, 'kill', { signal: sig.replace('SIG', '') });
  }

  async restart(ref: string, o: { signal?: string; timeout?: number } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.State.Running) await this.stop(rec.Id, o);
    await this.start(rec.Id);
    this.publish(rec, 'restart');
  }

  async pause(ref: string): Promise<void> {
    const rec = this.get(ref);
    guardPause(rec);
    await this.d.runtime.pause(this.handle(rec));
    rec.State.Paused = true;
    rec.State.Status = 'paused';
    this.records.save(rec);
    this.publish(rec, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    const rec = this.get(ref);
    guardUnpause(rec);
    await this.d.runtime.resume(this.handle(rec));
    rec.State.Paused = false;
    rec.State.Status = 'running';
    this.records.save(rec);
    this.publish(rec, 'unpause');
  }

  rename(ref: string, name: string): void {
    const rec = this.get(ref);
    const old = rec.Name;
    rec.Name = this.records.checkName(name, rec.Id);
    this.records.save(rec);
    this.publish(rec, 'rename', { oldName: old });
  }

  async remove(ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    const live = this.live.get(rec.Id);
    if (rec.State.Status === 'removing') return;
    if ((rec.State.Running || rec.State.Paused) && !o.force) {
      throw new ConflictError(
        `cannot remove container "${rec.Name}": container is ${rec.State.Paused ? 'paused' : 'running'}: stop the container before removing or force remove`,
      );
    }
    clearTimeout(live.restartTimer);
    clearInterval(live.healthTimer);
    if (rec.State.Running) {
      rec.manuallyStopped = true;
      const exited = this.waitFor(rec.Id, 'next-exit');
      if (rec.State.Paused) await this.d.runtime.resume(this.handle(rec)).catch(() => {});
      await this.d.runtime.kill(this.handle(rec), 'SIGKILL', true).catch(() => {});
      await Promise.race([exited, sleep(10_000)]);
    }
    rec.State.Status = 'removing';
    live.watch?.abort();
    this.records.delete(rec.Id);
    if (o.volumes) {
      for (const m of rec.Mounts) {
        if (m.Type !== 'volume' || !m.Name) continue;
        const v = this.d.volumes.find(m.Name);
        if (v && ANONYMOUS_LABEL in (v.Labels ?? {})) this.d.volumes.remove(m.Name, true);
      }
    }
    this.publish(rec, 'destroy');
    live.events.emit('removed');
    this.live.delete(rec.Id);
    // The files go after the answer: nothing refers to them any more, and GC
    // at the next start collects whatever a crash leaves here.
    this.background(this.removeFiles(rec));
  }

  private async removeFiles(rec: ContainerRecord): Promise<void> {
    await this.cleanupRuntime(rec);
    await this.d.snapshots
      .remove(rec.snapshotKey)
      .catch((e) => this.d.log.warn('snapshot removal failed', { id: rec.Id, error: e }));
    const p = this.paths(rec.Id);
    rmSync(p.dir, { recursive: true, force: true });
    rmSync(p.bundle, { recursive: true, force: true });
  }

  private pending = new Set<Promise<void>>();

  private background(p: Promise<void>): void {
    const q = p
      .catch((e) => this.d.log.warn('background cleanup failed', { error: e }))
      .finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  /** Waits for background cleanups (daemon shutdown, tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Resolves with the exit code when the condition holds. */
  async wait(
    ref: string,
    condition: WaitCondition = 'not-running',
  ): Promise<{ StatusCode: number; Error?: { Message: string } }> {
    const rec = this.get(ref);
    const code = await this.waitFor(rec.Id, condition);
    return { StatusCode: code };
  }

  private waitFor(id: string, condition: WaitCondition): Promise<number> {
    const rec = this.records.get(id);
    const live = this.live.get(id);
    if (condition === 'not-running' && !rec.State.Running && !rec.State.Restarting && rec.State.Status !== 'created') {
      return Promise.resolve(rec.State.ExitCode);
    }
    return new Promise((resolve) => {
      if (condition === 'removed')
        live.events.once('removed', () => resolve(this.records.find(id)?.State.ExitCode ?? rec.State.ExitCode));
      else live.events.once('exit', (code: number) => resolve(code));
    });
  }

  /** Connects to the container's output and stdin now, or at its start. */
  attachWhenRunning(rec: ContainerRecord, connect: (bundle: string) => Promise<void>, end: () => void): void {
    const live = this.live.get(rec.Id);
    if (rec.State.Running) {
      void connect(this.paths(rec.Id).bundle).catch(() => end());
      return;
    }
    live.pendingAttach.push({ connect, end });
  }

  openAttachSocket(bundle: string) {
    return attachSocket(bundle);
  }

  counts(): { running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const r of this.records.all()) {
      if (r.State.Paused) paused++;
      else if (r.State.Running) running++;
      else stopped++;
    }
    return { running, paused, stopped };
  }

  /** Which containers use a volume. */
  volumeUsers(name: string): string[] {
    return this.records
      .all()
      .filter((r) => r.Mounts.some((m) => m.Name === name))
      .map((r) => r.Id);
  }

  /** Which containers use an image (for rmi). */
  usage(imageId: string): { running: string[]; stopped: string[] } {
    const out = { running: [] as string[], stopped: [] as string[] };
    for (const r of this.records.all())
      if (r.Image === imageId) (r.State.Running ? out.running : out.stopped).push(r.Id);
    return out;
  }

  /** Stops watching exits (daemon shutdown): containers keep running. */
  detachAll(): void {
    for (const l of this.live.all()) {
      l.watch?.abort();
      clearTimeout(l.restartTimer);
      clearInterval(l.healthTimer);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A start failure, with the runtime's words, as Docker reports it (the CLI maps "not found" to 127). */
function startError(e: unknown): Error {
  const msg = errorMessage(e);
  if (/executable file .*not found|not found in \$PATH/i.test(msg)) {
    return new InvalidArgumentError(
      `failed to create task for container: ${msg.replace(/\s+/g, ' ')}: exec: executable file not found in $PATH: unknown`,
    );
  }
  if (/permission denied/i.test(msg))
    return new InvalidArgumentError(`failed to create task for container: ${msg}: permission denied: unknown`);
  return e instanceof Error && 'kind' in e ? e : new InternalError(msg);
}

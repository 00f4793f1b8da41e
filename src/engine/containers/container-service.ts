/**
 * The containers domain: create, start, stop, kill, restart, pause, remove,
 * rename and wait, over the runtime layer (conmon + crun/runc). The daemon
 * is never a container's parent; this service watches exit files and
 * records what happened, also after a daemon restart (reconcile()).
 *
 * The work is in one file per concept: create.ts, start.ts (the run path),
 * exit.ts (exit, cleanup, restart policy), lifecycle.ts (stop, kill,
 * pause), removal.ts; this class holds the shared state and the API.
 */
import { attach as attachSocket } from '../../runtime/attach.ts';
import type { ContainerHandle, ContainerRuntime } from '../../runtime/monitor.ts';
import type { ContainerCreateRequest } from '../../wire/containers.ts';
import type { ContainerContext, ContainerServiceDeps, WaitCondition } from './context.ts';
import { createContainer } from './create.ts';
import { cleanupRuntime, scheduleRestart, watchExit } from './exit.ts';
import { killContainer, pauseContainer, stopContainer, unpauseContainer } from './lifecycle.ts';
import { LiveTable } from './live.ts';
import { type ContainerPaths, containerPaths } from './paths.ts';
import type { ContainerRecord } from './record.ts';
import type { ContainerRecords } from './records.ts';
import { removeContainer } from './removal.ts';
import { startContainer } from './start.ts';

export type { ContainerServiceDeps, WaitCondition } from './context.ts';

export class ContainerService implements ContainerContext {
  readonly records: ContainerRecords;
  readonly live = new LiveTable();
  /** Called after every successful start (healthchecks hook in here). */
  onStarted: (rec: ContainerRecord) => void = () => {};
  /** For the files of this folder (create.ts, start.ts …), not for callers outside it. */
  readonly deps: ContainerServiceDeps;
  private pending = new Set<Promise<void>>();

  constructor(deps: ContainerServiceDeps) {
    this.deps = deps;
    this.records = deps.records;
  }

  paths(id: string): ContainerPaths {
    return containerPaths(this.deps.dataRoot, this.deps.execRoot, id);
  }

  handle(rec: ContainerRecord): ContainerHandle {
    return { id: rec.Id, bundle: this.paths(rec.Id).bundle, runtime: rec.runtime };
  }

  get(ref: string): ContainerRecord {
    return this.records.get(ref);
  }

  get cgroupParent(): string {
    return this.deps.cgroupParent;
  }

  runtimeFor(): ContainerRuntime {
    return this.deps.runtime;
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

  publish(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish('container', action, rec.Id, {
      ...rec.Config.Labels,
      image: rec.Config.Image,
      name: rec.Name.slice(1),
      ...extra,
    });
  }

  create(req: ContainerCreateRequest, name?: string): Promise<{ Id: string; Warnings: string[] }> {
    return createContainer(this, req, name);
  }

  start(ref: string): Promise<void> {
    return startContainer(this, ref);
  }

  /** Watches for the container's exit (in this daemon's life). */
  watchExit(rec: ContainerRecord): void {
    watchExit(this, rec);
  }

  scheduleRestart(rec: ContainerRecord): void {
    scheduleRestart(this, rec);
  }

  /** Cleanup after an exit seen by reconciliation. */
  afterExitCleanup(rec: ContainerRecord): Promise<void> {
    return cleanupRuntime(this, rec);
  }

  stop(ref: string, o: { signal?: string; timeout?: number } = {}): Promise<void> {
    return stopContainer(this, ref, o);
  }

  kill(ref: string, signal?: string): Promise<void> {
    return killContainer(this, ref, signal);
  }

  async restart(ref: string, o: { signal?: string; timeout?: number } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.State.Running) await this.stop(rec.Id, o);
    await this.start(rec.Id);
    this.publish(rec, 'restart');
  }

  pause(ref: string): Promise<void> {
    return pauseContainer(this, ref);
  }

  unpause(ref: string): Promise<void> {
    return unpauseContainer(this, ref);
  }

  rename(ref: string, name: string): void {
    const rec = this.get(ref);
    const old = rec.Name;
    rec.Name = this.records.checkName(name, rec.Id);
    this.records.save(rec);
    this.publish(rec, 'rename', { oldName: old });
  }

  remove(ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return removeContainer(this, ref, o);
  }

  /** Runs cleanup work after the answer; settle() waits for it. */
  background(p: Promise<void>): void {
    const q = p
      .catch((e) => this.deps.log.warn('background cleanup failed', { error: e }))
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

  waitFor(id: string, condition: WaitCondition): Promise<number> {
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

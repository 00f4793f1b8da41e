/**
 * Changes to a running container's state on request: stop (signal, then
 * SIGKILL after the timeout), kill, restart, pause and unpause.
 */
import { NotModifiedError } from '../../lib/errors.ts';
import type { ContainerContext } from './context.ts';
import { parseSignal } from './signals.ts';
import { guardPause, guardRunning, guardUnpause, setExited, short } from './state.ts';

export async function stopContainer(
  svc: ContainerContext,
  ref: string,
  o: { signal?: string; timeout?: number } = {},
): Promise<void> {
  const rec = svc.get(ref);
  const live = svc.live.get(rec.Id);
  // The user's stop counts even when it finds the container between an exit and the
  // scheduling of its restart: the restart policy must not bring it back (as Docker's).
  rec.manuallyStopped = true;
  if (rec.State.Restarting) {
    clearTimeout(live.restartTimer);
    setExited(rec.State, rec.State.ExitCode, false, new Date());
    svc.records.save(rec);
    return;
  }
  svc.records.save(rec);
  if (!rec.State.Running) throw new NotModifiedError(`container ${short(rec)} is already stopped`);
  const signal = parseSignal(o.signal || rec.Config.StopSignal, 'SIGTERM');
  const timeout = o.timeout ?? rec.Config.StopTimeout ?? 10;
  const h = svc.handle(rec);
  const runtime = svc.deps.runtime;
  if (rec.State.Paused) await svc.unpause(rec.Id).catch(() => {});
  const exited = svc.waitFor(rec.Id, 'next-exit');
  await runtime.kill(h, signal).catch(() => {});
  const inTime =
    timeout < 0
      ? await exited.then(() => true)
      : await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
  if (!inTime) {
    await runtime.kill(h, 'SIGKILL', true).catch(() => {});
    await exited;
  }
  svc.publish(rec, 'stop');
}

export async function killContainer(svc: ContainerContext, ref: string, signal?: string): Promise<void> {
  const rec = svc.get(ref);
  guardRunning(rec, 'kill');
  const sig = parseSignal(signal, 'SIGKILL');
  if (sig === 'SIGKILL') rec.manuallyStopped = true;
  await svc.deps.runtime.kill(svc.handle(rec), sig);
  svc.publish(rec, 'kill', { signal: sig.replace('SIG', '') });
}

/** docker pause / unpause: the runtime freezes or thaws the container's cgroup. */
async function setPaused(svc: ContainerContext, ref: string, paused: boolean): Promise<void> {
  const rec = svc.get(ref);
  if (paused) guardPause(rec);
  else guardUnpause(rec);
  const h = svc.handle(rec);
  await (paused ? svc.deps.runtime.pause(h) : svc.deps.runtime.resume(h));
  rec.State.Paused = paused;
  rec.State.Status = paused ? 'paused' : 'running';
  svc.records.save(rec);
  svc.publish(rec, paused ? 'pause' : 'unpause');
}

export const pauseContainer = (svc: ContainerContext, ref: string): Promise<void> => setPaused(svc, ref, true);
export const unpauseContainer = (svc: ContainerContext, ref: string): Promise<void> => setPaused(svc, ref, false);

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

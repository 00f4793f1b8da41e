/**
 * After a container's process ends: conmon's exit file is seen, the exit
 * is recorded and announced at once (waiters answered), then the runtime
 * forgets the container and its rootfs is unmounted; a --rm container is
 * removed, and a restart policy may bring the container back.
 */
import { errorMessage } from '../../lib/errors.ts';
import type { ExitInfo } from '../../runtime/exit-file.ts';
import { removeBundleFiles } from '../../runtime/monitor.ts';
import type { ContainerContext } from './context.ts';
import type { ContainerRecord } from './record.ts';
import { backoffMs, shouldRestart } from './restart-policy.ts';
import { runContainer } from './start.ts';
import { setExited } from './state.ts';

/** Watches for the container's exit (in this daemon's life). */
export function watchExit(svc: ContainerContext, rec: ContainerRecord): void {
  const live = svc.live.get(rec.Id);
  live.watch?.abort();
  const ac = new AbortController();
  live.watch = ac;
  live.exiting = svc.deps.runtime.waitExit(svc.handle(rec), { signal: ac.signal });
  live.exiting.then(
    (info) => void onExit(svc, rec.Id, info),
    (e) => {
      if (!ac.signal.aborted) svc.deps.log.error('lost the exit watch of a container', { id: rec.Id, error: e });
    },
  );
}

async function onExit(svc: ContainerContext, id: string, info: ExitInfo): Promise<void> {
  const rec = svc.records.find(id);
  if (!rec) return;
  const live = svc.live.get(id);
  setExited(rec.State, info.exitCode, info.oomKilled, info.finishedAt);
  svc.records.save(rec);
  if (info.oomKilled) svc.publish(rec, 'oom');
  svc.publish(rec, 'die', { exitCode: String(info.exitCode) });
  live.events.emit('exit', info.exitCode);
  live.stopLogWatch?.();
  // How long from conmon's exit record to the waiters' answer (debug log, for the run path's timing).
  const since = () => Math.round(Date.now() - info.finishedAt.getTime());
  if (rec.HostConfig.AutoRemove) {
    await svc
      .remove(id, { force: true, volumes: true })
      .catch((e) => svc.deps.log.warn('auto-remove failed', { id, error: e }));
    svc.deps.log.debug('container exited', { id, exitCode: info.exitCode, removedMs: since() });
    return;
  }
  svc.deps.log.debug('container exited', { id, exitCode: info.exitCode, seenMs: since() });
  live.cleaning = cleanupRuntime(svc, rec);
  await live.cleaning;
  if (shouldRestart(rec, info.exitCode)) scheduleRestart(svc, rec);
}

export function scheduleRestart(svc: ContainerContext, rec: ContainerRecord): void {
  const live = svc.live.get(rec.Id);
  rec.State.Restarting = true;
  rec.State.Status = 'restarting';
  svc.records.save(rec);
  live.restartTimer = setTimeout(() => {
    void live.serial(async () => {
      const cur = svc.records.find(rec.Id);
      if (!cur?.State.Restarting) return;
      cur.RestartCount++;
      cur.State.Restarting = false;
      try {
        await runContainer(svc, cur);
        svc.publish(cur, 'restart');
      } catch (e) {
        setExited(cur.State, 128, false, new Date(), errorMessage(e));
        svc.records.save(cur);
        if (shouldRestart(cur, 128)) scheduleRestart(svc, cur);
      }
    });
  }, backoffMs(rec));
}

/** After an exit: the runtime forgets the container, the rootfs is unmounted. */
export async function cleanupRuntime(svc: ContainerContext, rec: ContainerRecord): Promise<void> {
  const d = svc.deps;
  d.networks?.detach(rec); // networks: bookkeeping now, kernel work in the background
  const h = svc.handle(rec);
  await d.runtime
    .delete(h, { force: true })
    .catch((e) => d.log.warn('runtime delete failed', { id: rec.Id, error: e }));
  d.snapshots.unmount(svc.paths(rec.Id).rootfs);
  removeBundleFiles(h.bundle);
}

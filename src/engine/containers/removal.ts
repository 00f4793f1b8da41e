/**
 * `docker rm`: a running container is killed first (with force), the
 * record goes, waiters for the removal are answered; the files (runtime
 * state, rootfs mount, snapshot, directories) go afterwards in the
 * background — nothing refers to them any more, and GC at the next start
 * collects whatever a crash leaves.
 */
import { rm } from 'node:fs/promises';
import { ConflictError } from '../../lib/errors.ts';
import { ANONYMOUS_LABEL } from '../volumes/volume-service.ts';
import type { ContainerContext } from './context.ts';
import { cleanupRuntime } from './exit.ts';
import { sleep } from './lifecycle.ts';
import type { ContainerRecord } from './record.ts';

export async function removeContainer(
  svc: ContainerContext,
  ref: string,
  o: { force?: boolean; volumes?: boolean } = {},
): Promise<void> {
  const rec = svc.get(ref);
  const live = svc.live.get(rec.Id);
  const d = svc.deps;
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
    const exited = svc.waitFor(rec.Id, 'next-exit');
    if (rec.State.Paused) await d.runtime.resume(svc.handle(rec)).catch(() => {});
    await d.runtime.kill(svc.handle(rec), 'SIGKILL', true).catch(() => {});
    await Promise.race([exited, sleep(10_000)]);
  }
  rec.State.Status = 'removing';
  live.watch?.abort();
  svc.records.delete(rec.Id);
  if (o.volumes) {
    for (const m of rec.Mounts) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const v = d.volumes.find(m.Name);
      if (v && ANONYMOUS_LABEL in (v.Labels ?? {})) d.volumes.remove(m.Name, true);
    }
  }
  svc.publish(rec, 'destroy');
  live.events.emit('removed');
  svc.live.delete(rec.Id);
  svc.background(removeFiles(svc, rec));
}

async function removeFiles(svc: ContainerContext, rec: ContainerRecord): Promise<void> {
  await cleanupRuntime(svc, rec);
  await svc.deps.snapshots
    .remove(rec.snapshotKey)
    .catch((e) => svc.deps.log.warn('snapshot removal failed', { id: rec.Id, error: e }));
  const p = svc.paths(rec.Id);
  await Promise.all([rm(p.dir, { recursive: true, force: true }), rm(p.bundle, { recursive: true, force: true })]);
}

/**
 * At daemon start: what really happened to each container while no daemon
 * watched. Still running → watched again; exited → its exit code recorded
 * from conmon's exit file; gone without a trace → exited (255) with an
 * error. Restart policies are honoured as at a daemon start.
 */
import type { Logger } from '../../lib/log.ts';
import type { ContainerRuntime } from '../../runtime/monitor.ts';
import type { ContainerService } from './container-service.ts';
import { shouldRestart } from './restart-policy.ts';
import { setExited } from './state.ts';

export async function reconcile(svc: ContainerService, runtime: ContainerRuntime, log: Logger): Promise<void> {
  for (const rec of svc.records.all()) {
    const h = svc.handle(rec);
    if (rec.State.Running || rec.State.Paused) {
      const exit = runtime.readExitFile(h);
      if (!exit && runtime.containerPid(h)) {
        svc.watchExit(rec);
        svc.onStarted(rec);
        log.debug('container still running', { id: rec.Id });
        continue;
      }
      if (exit) setExited(rec.State, exit.exitCode, exit.oomKilled, exit.finishedAt);
      else setExited(rec.State, 255, false, new Date(), 'container was lost while the daemon was down');
      svc.records.save(rec);
      await svc.afterExitCleanup(rec);
      log.info('container exited while the daemon was down', { id: rec.Id, exitCode: rec.State.ExitCode });
    }
    if (rec.State.Restarting) {
      rec.State.Restarting = false;
      rec.State.Status = 'exited';
      svc.records.save(rec);
    }
    if (rec.State.Status === 'exited' && shouldRestart(rec, rec.State.ExitCode, true)) {
      svc.scheduleRestart(rec);
    }
  }
}

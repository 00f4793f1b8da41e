/** Restart policies (`--restart`): whether an exited container comes back, and after how long. */

import { InvalidArgumentError } from '../../lib/errors.ts';
import type { RestartPolicy } from '../../wire/containers.ts';
import type { ContainerRecord } from './record.ts';

export function validatePolicy(p: RestartPolicy | undefined, autoRemove: boolean): void {
  if (!p?.Name || p.Name === 'no') return;
  if (!['always', 'unless-stopped', 'on-failure'].includes(p.Name))
    throw new InvalidArgumentError(`invalid restart policy '${p.Name}'`);
  if (p.Name !== 'on-failure' && (p.MaximumRetryCount ?? 0) > 0)
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if ((p.MaximumRetryCount ?? 0) < 0)
    throw new InvalidArgumentError('invalid restart policy: maximum retry count must be a positive number');
  if (autoRemove) throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
}

/** After an exit: restart? (`daemonStart`: the daemon itself is starting up.) */
export function shouldRestart(rec: ContainerRecord, exitCode: number, daemonStart = false): boolean {
  const p = rec.HostConfig.RestartPolicy;
  if (!p?.Name || p.Name === 'no') return false;
  if (rec.manuallyStopped && !daemonStart) return false;
  switch (p.Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !rec.manuallyStopped;
    case 'on-failure':
      return exitCode !== 0 && (!p.MaximumRetryCount || rec.RestartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** Docker's backoff: 100 ms doubling per restart, reset when the container ran ≥ 10 s, capped at 1 min. */
export function backoffMs(rec: ContainerRecord): number {
  const ran = Date.parse(rec.State.FinishedAt) - Date.parse(rec.State.StartedAt);
  if (ran >= 10_000) return 100;
  return Math.min(60_000, 100 * 2 ** Math.min(rec.RestartCount, 10));
}

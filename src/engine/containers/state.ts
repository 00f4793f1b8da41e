/**
 * The container state machine: which operation is allowed in which state,
 * and the state each transition leaves. A refused operation changes nothing.
 */

import { ConflictError, NotModifiedError } from '../../lib/errors.ts';
import type { ContainerState } from '../../wire/containers.ts';
import type { ContainerRecord } from './record.ts';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function short(rec: ContainerRecord): string {
  return rec.Id.slice(0, 12);
}

export function guardStart(rec: ContainerRecord): void {
  const s = rec.State;
  if (s.Paused) throw new ConflictError(`cannot start a paused container ${short(rec)}, try unpause instead`);
  if (s.Running) throw new NotModifiedError(`container ${short(rec)} is already running`);
  if (s.Status === 'removing')
    throw new ConflictError(`container ${short(rec)} is marked for removal and cannot be started`);
  if (s.Dead) throw new ConflictError(`container ${short(rec)} is dead and cannot be started`);
}

export function guardRunning(rec: ContainerRecord, verb: string): void {
  if (!rec.State.Running)
    throw new ConflictError(`Container ${rec.Id} is not running${verb ? ` (cannot ${verb})` : ''}`);
}

export function guardPause(rec: ContainerRecord): void {
  guardRunning(rec, '');
  if (rec.State.Paused) throw new ConflictError(`Container ${rec.Id} is already paused`);
}

export function guardUnpause(rec: ContainerRecord): void {
  if (!rec.State.Paused) throw new ConflictError(`Container ${rec.Id} is not paused`);
}

export function setRunning(s: ContainerState, pid: number): void {
  Object.assign(s, {
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: pid,
    ExitCode: 0,
    Error: '',
    StartedAt: new Date().toISOString(),
    FinishedAt: ZERO_TIME,
  });
}

export function setExited(s: ContainerState, exitCode: number, oomKilled: boolean, finishedAt: Date, error = ''): void {
  Object.assign(s, {
    Status: 'exited',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: oomKilled,
    Pid: 0,
    ExitCode: exitCode,
    Error: error,
    FinishedAt: finishedAt.toISOString(),
  });
  if (s.Health) s.Health.Status = s.Health.Status === 'none' ? 'none' : 'unhealthy';
}

/** `Up 3 minutes`, `Exited (0) 2 seconds ago`, as `docker ps` shows it. */
export function statusText(s: ContainerState, human: (seconds: number) => string): string {
  const since = (t: string) => human((Date.now() - Date.parse(t)) / 1000);
  if (s.Status === 'running') {
    const health =
      s.Health && s.Health.Status !== 'none'
        ? ` (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})`
        : '';
    return `Up ${since(s.StartedAt)}${health}`;
  }
  if (s.Status === 'paused') return `Up ${since(s.StartedAt)} (Paused)`;
  if (s.Status === 'restarting') return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Status === 'exited') return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  return 'Created';
}

export { ZERO_TIME };

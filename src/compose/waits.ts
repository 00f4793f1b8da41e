/**
 * Waiting for conditions on a service's containers: started, healthy,
 * completed successfully (depends_on conditions and `up --wait`), by
 * polling inspect — the same contract on any daemon.
 */
import type { EngineClient } from '../client/client.ts';
import { type ContainerInspect, inspectContainer } from '../client/containers.ts';
import { ComposeError } from './errors.ts';
import type { DependsOnCondition } from './types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  /** Give up after this many milliseconds (default: never). */
  timeoutMs?: number;
  intervalMs?: number;
}

/** True when a container satisfies `condition`; throws when it never will. */
export function satisfied(c: ContainerInspect, condition: DependsOnCondition | 'running_or_healthy'): boolean {
  const st = c.State;
  const name = c.Name.replace(/^\//, '');
  switch (condition) {
    case 'service_started':
      return st.Running || st.Status === 'exited' || st.Status === 'restarting';
    case 'service_healthy': {
      if (!st.Health || st.Health.Status === 'none')
        throw new ComposeError(`container ${name} has no healthcheck configured`);
      if (st.Health.Status === 'healthy') return true;
      if (st.Health.Status === 'unhealthy')
        throw new ComposeError(`dependency failed to start: container ${name} is unhealthy`);
      if (!st.Running && st.Status !== 'restarting')
        throw new ComposeError(`dependency failed to start: container ${name} exited (${st.ExitCode})`);
      return false;
    }
    case 'service_completed_successfully':
      if (st.Running || st.Status === 'created' || st.Status === 'restarting') return false;
      if (st.ExitCode !== 0)
        throw new ComposeError(`service "${name}" didn't complete successfully: exit ${st.ExitCode}`);
      return true;
    case 'running_or_healthy':
      if (st.Health && st.Health.Status !== 'none') return satisfied(c, 'service_healthy');
      if (st.Status === 'exited') throw new ComposeError(`container ${name} exited (${st.ExitCode})`);
      return st.Running;
  }
}

export async function waitFor(
  api: EngineClient,
  ids: string[],
  condition: DependsOnCondition | 'running_or_healthy',
  o: WaitOptions = {},
): Promise<void> {
  const deadline = o.timeoutMs ? Date.now() + o.timeoutMs : Number.POSITIVE_INFINITY;
  const pending = new Set(ids);
  while (pending.size) {
    for (const id of [...pending]) if (satisfied(await inspectContainer(api, id), condition)) pending.delete(id);
    if (!pending.size) return;
    if (Date.now() > deadline)
      throw new ComposeError(`timed out waiting for containers to be ${condition.replace(/^service_/, '')}`);
    await sleep(o.intervalMs ?? 250);
  }
}

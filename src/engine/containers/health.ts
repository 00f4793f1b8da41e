/**
 * Healthchecks (`--health-*` and the image's HEALTHCHECK): a probe runs in
 * the container every interval; the state goes starting → healthy or
 * unhealthy after `retries` failures in a row (failures in the start period
 * do not count), as Docker's does.
 */
import type { HealthConfig } from '../../oci/image.ts';
import type { ContainerService } from './container-service.ts';
import type { ExecService } from './exec-service.ts';
import type { ContainerRecord } from './record.ts';

const NS = 1e6; // nanoseconds per millisecond
const DEFAULTS = { interval: 30_000, timeout: 30_000, startPeriod: 0, startInterval: 5_000, retries: 3 };
const KEEP_LOG = 5;

export function hasHealthcheck(h: HealthConfig | undefined): h is HealthConfig {
  return !!h?.Test?.length && h.Test[0] !== 'NONE';
}

function probeCommand(test: string[]): string[] {
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  if (test[0] === 'CMD') return test.slice(1);
  return test;
}

export class HealthMonitor {
  private svc: ContainerService;
  private execs: ExecService;
  private publish: (rec: ContainerRecord, status: string) => void;

  constructor(svc: ContainerService, execs: ExecService, publish: (rec: ContainerRecord, status: string) => void) {
    this.svc = svc;
    this.execs = execs;
    this.publish = publish;
  }

  /** Starts probing a container that just started. */
  start(rec: ContainerRecord): void {
    const hc = rec.Config.Healthcheck;
    if (!hasHealthcheck(hc)) return;
    const live = this.svc.live.get(rec.Id);
    clearTimeout(live.healthTimer);
    rec.State.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    this.svc.records.save(rec);
    const interval = hc.Interval ? hc.Interval / NS : DEFAULTS.interval;
    const timeout = hc.Timeout ? hc.Timeout / NS : DEFAULTS.timeout;
    const startPeriod = hc.StartPeriod ? hc.StartPeriod / NS : DEFAULTS.startPeriod;
    const startInterval = hc.StartInterval ? hc.StartInterval / NS : Math.min(interval, DEFAULTS.startInterval);
    const retries = hc.Retries || DEFAULTS.retries;
    const startedAt = Date.now();
    const inStartPeriod = () => Date.now() - startedAt < startPeriod;
    const schedule = (ms: number) => {
      live.healthTimer = setTimeout(() => void probe(), ms);
    };
    const probe = async () => {
      const cur = this.svc.records.find(rec.Id);
      if (!cur?.State.Running || !cur.State.Health) return;
      if (cur.State.Paused) return schedule(interval);
      const begin = new Date();
      let result: { exitCode: number; output: string };
      try {
        result = await this.execs.run(cur.Id, probeCommand(hc.Test as string[]), timeout);
      } catch (e) {
        result = { exitCode: -1, output: (e as Error).message };
      }
      const now = this.svc.records.find(rec.Id);
      if (!now?.State.Running || !now.State.Health) return;
      const h = now.State.Health;
      h.Log = [
        ...h.Log,
        { Start: begin.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output },
      ].slice(-KEEP_LOG);
      const before = h.Status;
      if (result.exitCode === 0) {
        h.Status = 'healthy';
        h.FailingStreak = 0;
      } else if (!(inStartPeriod() && before === 'starting')) {
        h.FailingStreak++;
        if (h.FailingStreak >= retries) h.Status = 'unhealthy';
      }
      this.svc.records.save(now);
      if (h.Status !== before) this.publish(now, h.Status);
      schedule(h.Status === 'starting' && inStartPeriod() ? startInterval : interval);
    };
    schedule(startPeriod > 0 ? Math.min(startInterval, interval) : interval);
  }
}

/**
 * Starting a container: mount its rootfs, wire its network, write the
 * bundle (etc files, config.json), create it under conmon, connect the
 * attach clients that wait for it, then let its process run. Each step's
 * time goes to the debug log (`container started`, `ms`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, InternalError, InvalidArgumentError } from '../../lib/errors.ts';
import { writeBundleConfig } from '../../runtime/monitor.ts';
import { buildSpec } from '../../runtime/spec.ts';
import type { ContainerContext } from './context.ts';
import { writeEtcFiles } from './etc-files.ts';
import { rotationPolicy, watchLogSize } from './log-rotation.ts';
import { type ContainerMount, runtimeMounts } from './mounts.ts';
import type { ContainerRecord } from './record.ts';
import { runtimeInput } from './runtime-input.ts';
import { guardStart, setRunning } from './state.ts';
import { resolveUser } from './user.ts';

/** `docker start`: one at a time per container; a --rm container whose start failed is removed. */
export async function startContainer(svc: ContainerContext, ref: string): Promise<void> {
  const rec = svc.get(ref);
  const live = svc.live.get(rec.Id);
  await live.serial(async () => {
    guardStart(svc.get(rec.Id));
    clearTimeout(live.restartTimer);
    rec.manuallyStopped = false;
    try {
      await runContainer(svc, rec);
    } catch (e) {
      // As Docker does (the CLI waits for the removal).
      if (rec.HostConfig.AutoRemove) await svc.remove(rec.Id, { force: true, volumes: true }).catch(() => {});
      throw e;
    }
  });
}

/** Mounts, writes the bundle, creates under conmon, connects attach clients, starts. */
export async function runContainer(svc: ContainerContext, rec: ContainerRecord): Promise<void> {
  const d = svc.deps;
  const p = svc.paths(rec.Id);
  const h = svc.handle(rec);
  const live = svc.live.get(rec.Id);
  await live.cleaning;
  const t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = (name: string) => {
    steps[name] = Math.round(performance.now() - t0);
  };
  mkdirSync(p.bundle, { recursive: true, mode: 0o700 });
  mkdirSync(p.rootfs, { recursive: true });
  d.snapshots.unmount(p.rootfs);
  d.snapshots.mountAt(rec.snapshotKey, p.rootfs);
  try {
    step('mount');
    const user = resolveUser(p.rootfs, rec.Config.User, rec.HostConfig.GroupAdd ?? []);
    if (rec.Config.WorkingDir) mkdirSync(join(p.rootfs, rec.Config.WorkingDir), { recursive: true });
    const net = (await d.networks?.attach(rec)) ?? { addresses: [] }; // networks: namespace, veths, ports
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
    const mounts = await runtimeMounts(rec.Mounts as ContainerMount[], p.rootfs, d.volumes);
    const spec = buildSpec(
      runtimeInput({ rec, paths: p, user, mounts, netns: net.netns, cgroupParent: d.cgroupParent }),
    );
    await writeBundleConfig(p.bundle, spec);
    step('bundle');
    d.runtime.clearExit(h);
    const { pid } = await d.runtime.createContainer({
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
      await d.runtime.startContainer(h);
    } catch (e) {
      await d.runtime.delete(h, { force: true }).catch(() => {});
      throw e;
    }
    step('start');
    setRunning(rec.State, pid);
    svc.records.save(rec);
    svc.watchExit(rec);
    svc.publish(rec, 'start');
    svc.onStarted(rec);
    const rotation = rotationPolicy(rec.HostConfig);
    if (rotation) live.stopLogWatch = watchLogSize(p.log, p.bundle, rotation);
    d.log.debug('container started', { id: rec.Id, runtime: rec.runtime, ms: steps });
  } catch (e) {
    d.networks?.detach(rec); // networks
    d.snapshots.unmount(p.rootfs);
    for (const a of live.pendingAttach.splice(0)) a.end();
    const err = startError(e);
    rec.State.Error = err.message;
    rec.State.ExitCode = /executable file not found/.test(err.message)
      ? 127
      : /permission denied/.test(err.message)
        ? 126
        : 128;
    svc.records.save(rec);
    throw err;
  }
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

/**
 * src/runtime — everything under the engine that turns a container
 * description into a running container under conmon + crun/runc, and talks
 * to it afterwards. The daemon is never a container's parent: all that
 * links them is files (see the layout in monitor.ts), so a daemon restart
 * loses nothing.
 *
 * A container's life, as the engine drives it:
 *
 *   const rt = new ContainerRuntime({ stateDir });           // one per daemon
 *   const spec = buildSpec({ id, rootfs, cgroupParent, process, … });
 *   await writeBundleConfig(bundle, spec);
 *   const h = { id, bundle, runtime: 'crun' | 'runc' };      // persist this
 *   const { pid, monitorPid } = await rt.createContainer({ ...h, logPath, stdin, tty });
 *   const a = await attach(bundle);                          // optional, before start
 *   await rt.startContainer(h);
 *   const { exitCode, oomKilled, finishedAt } = await rt.waitExit(h);
 *   await rt.delete(h);
 *
 * After a daemon restart: rt.readExitFile(h) says whether (and how) a
 * container ended meanwhile; rt.containerPid(h) / rt.monitorPid(h) whether
 * it still runs; waitExit(h) works again for those that do.
 *
 * Runtime choice: runtimeSupport() says whether crun can work on this
 * host's cgroup layout (crun 1.8 refuses the hybrid layout while cgroup2
 * holds controllers) and why not; fall back to runc then and say so.
 *
 * - spec: buildSpec(RuntimeSpecInput) → OCI config.json, Docker's defaults
 *   (capabilities CapEff a80425fb, seccomp deny list, masked/read-only
 *   paths, minimal /dev, fresh pid/ipc/uts/mount/net namespaces), never an
 *   oomScoreAdj nor an rlimit above the host's hard limit.
 * - monitor: ContainerRuntime (create/start/kill/delete/pause/resume/state/
 *   update/exec/waitExit/readExitFile) over conmon.
 * - exec: ExecSession (pid, attachment, wait() → exit code).
 * - attach: attach(dir) over conmon's SOCK_SEQPACKET socket (native addon
 *   build/berth_attach.node); resize(dir, h, w); reopenLog(dir).
 * - logs: readLogs / followLogs of conmon's k8s-file logs; maybeRotate.
 * - cgroups/stats: detectCgroupLayout, runtimeSupport, removeCgroupTree,
 *   readCgroupStats (Docker stats API shape, v1 and v2).
 * - test-rootfs: makeBusyboxRootfs() for tests.
 */
export * from './attach.ts';
export * from './capabilities-default.ts';
export * from './cgroups.ts';
export * from './exec.ts';
export type { ExitInfo } from './exit-file.ts';
export * from './logs.ts';
export * from './monitor.ts';
export type * from './oci-types.ts';
export { RUNTIME_NAMES, type RuntimeName, type RuntimeState } from './runtime-cli.ts';
export { defaultSeccompProfile } from './seccomp-default.ts';
export { parseSeccompProfile } from './seccomp-profile.ts';
export * from './spec.ts';
export type * from './spec-input.ts';
export * from './stats.ts';
export { makeBusyboxRootfs } from './test-rootfs.ts';

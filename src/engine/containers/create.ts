/**
 * `docker create`: checks the request (image, name, policies, limits,
 * runtime), makes the container's writable snapshot and directory, and
 * records it. Nothing runs yet.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { chainIds, type Digest } from '../../lib/digest.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import { buildResources } from '../../runtime/resources.ts';
import type { ContainerCreateRequest } from '../../wire/containers.ts';
import type { ContainerContext } from './context.ts';
import { rotationPolicy } from './log-rotation.ts';
import { commandOf, mergeConfig } from './merge-config.ts';
import { resolveMounts } from './mounts.ts';
import { randomName } from './names.ts';
import { type ContainerRecord, initialState } from './record.ts';
import { validatePolicy } from './restart-policy.ts';
import { resourcesOf } from './runtime-input.ts';

export async function createContainer(
  svc: ContainerContext,
  req: ContainerCreateRequest,
  name?: string,
): Promise<{ Id: string; Warnings: string[] }> {
  const d = svc.deps;
  const t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = (what: string) => {
    steps[what] = Math.round((performance.now() - t0) * 10) / 10;
  };
  if (!req.Image) throw new InvalidArgumentError('no image specified: give an image to create the container from');
  const img = d.images.get(req.Image);
  const cfg = await d.images.config(img.id);
  step('image');
  const id = randomId();
  const fullName = name ? svc.records.checkName(name) : `/${randomName((n) => svc.records.find(n) !== undefined)}`;
  const hc = req.HostConfig ?? {};
  validatePolicy(hc.RestartPolicy, !!hc.AutoRemove);
  buildResources(resourcesOf(hc)); // refuses bad limits now (400), not at start
  rotationPolicy(hc);
  const runtime = (hc.Runtime || d.defaultRuntime) as 'crun' | 'runc';
  if (runtime !== 'crun' && runtime !== 'runc')
    throw new InvalidArgumentError(`unknown or invalid runtime name: ${hc.Runtime}`);
  const config = mergeConfig(req, cfg, req.Image, id);
  const { path, args } = commandOf(config);
  const mounts = resolveMounts(hc, config.Volumes, d.volumes);
  const networks = d.networks?.plan(hc, req.NetworkingConfig) ?? {}; // networks: mode and endpoints
  step('checks');
  const top = unpackedTop(svc, cfg.rootfs?.diff_ids) ?? (await d.unpacker.unpack(img));
  step('unpacked');
  await d.snapshots.createActive(id, top);
  step('snapshot');
  const p = svc.paths(id);
  mkdirSync(p.dir, { recursive: true, mode: 0o710 }); // one syscall: no thread-pool hop behind background removals
  const rec: ContainerRecord = {
    Id: id,
    Name: fullName,
    Created: new Date().toISOString(),
    Path: path,
    Args: args,
    Config: config,
    HostConfig: {
      NetworkMode: 'none',
      ...hc,
      Runtime: runtime,
      LogConfig: { Type: 'k8s-file', Config: hc.LogConfig?.Config ?? {} },
    },
    Image: img.id,
    State: initialState(),
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    Mounts: mounts,
    ExecIDs: [],
    runtime,
    snapshotKey: id,
    manuallyStopped: false,
    networks,
  };
  try {
    svc.records.insert(rec);
  } catch (e) {
    await d.snapshots.remove(id).catch(() => {});
    rmSync(p.dir, { recursive: true, force: true });
    throw e;
  }
  step('record');
  svc.publish(rec, 'create');
  d.log.debug('container created', { id, ms: steps });
  return { Id: id, Warnings: [] };
}

/** The image's top snapshot when all its layers are unpacked already: no manifest read on the common path. */
function unpackedTop(svc: ContainerContext, diffIds: readonly Digest[] | undefined): string | undefined {
  if (!diffIds?.length) return undefined;
  const top = chainIds(diffIds).at(-1);
  return top && svc.deps.snapshots.stat(top) ? top : undefined;
}

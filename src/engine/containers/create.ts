/**
 * `docker create`: checks the request (image, name, policies, limits,
 * runtime), makes the container's writable snapshot and directory, and
 * records it. Nothing runs yet.
 */
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import { buildResources } from '../../runtime/resources.ts';
import type { ContainerCreateRequest } from '../../wire/containers.ts';
import type { ContainerService } from './container-service.ts';
import { rotationPolicy } from './log-rotation.ts';
import { commandOf, mergeConfig } from './merge-config.ts';
import { resolveMounts } from './mounts.ts';
import { randomName } from './names.ts';
import { type ContainerRecord, initialState } from './record.ts';
import { validatePolicy } from './restart-policy.ts';
import { resourcesOf } from './runtime-input.ts';

export async function createContainer(
  svc: ContainerService,
  req: ContainerCreateRequest,
  name?: string,
): Promise<{ Id: string; Warnings: string[] }> {
  const d = svc.deps;
  if (!req.Image) throw new InvalidArgumentError('no image specified: give an image to create the container from');
  const img = d.images.get(req.Image);
  const cfg = await d.images.config(img.id);
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
  const top = await d.unpacker.unpack(img);
  await d.snapshots.createActive(id, top);
  const p = svc.paths(id);
  await mkdir(p.dir, { recursive: true, mode: 0o710 });
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
  svc.publish(rec, 'create');
  return { Id: id, Warnings: [] };
}

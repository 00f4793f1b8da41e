/**
 * The project-wide operations besides `up`: down, start, stop, restart,
 * kill, rm, pause/unpause — each on the selected services' containers, in
 * dependency order to start and in reverse order to stop.
 */
import type { EngineClient } from '../client/client.ts';
import {
  killContainer,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
} from '../client/containers.ts';
import { ApiError } from '../client/errors.ts';
import { startOrder } from './graph.ts';
import { imageOf } from './images.ts';
import { defaultImageName } from './labels.ts';
import { removeNetworks, removeVolumes } from './resources.ts';
import { projectContainers, type Replica, type Reporter } from './state.ts';
import type { Project } from './types.ts';

/** Containers of the selected services (all when none named), in start order. */
export async function selected(
  api: EngineClient,
  p: Project,
  services: string[] = [],
  o: { oneoff?: boolean | 'any'; all?: boolean } = {},
): Promise<Replica[]> {
  const all = await projectContainers(api, p.name, { oneoff: o.oneoff, all: o.all ?? true });
  const order = startOrder({ ...p.disabled, ...p.services });
  const rank = (s: string) => {
    const i = order.indexOf(s);
    return i < 0 ? order.length : i;
  };
  return all
    .filter((c) => !services.length || services.includes(c.service))
    .sort((a, b) => rank(a.service) - rank(b.service) || a.number - b.number);
}

const running = (c: Replica) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';

export async function stopServices(
  api: EngineClient,
  p: Project,
  r: Reporter,
  services: string[] = [],
  timeout?: number,
): Promise<void> {
  const cs = (await selected(api, p, services)).filter(running).reverse();
  // Stop dependents before what they depend on: one service at a time, its replicas together.
  for (const group of groupByService(cs))
    await Promise.all(
      group.map(async (c) => {
        r.event('Container', c.name, 'Stopping');
        await stopContainer(api, c.id, { timeout });
        r.event('Container', c.name, 'Stopped');
      }),
    );
}

function groupByService(cs: Replica[]): Replica[][] {
  const groups: Replica[][] = [];
  for (const c of cs) {
    const last = groups[groups.length - 1];
    if (last && last[0].service === c.service) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

export async function startServices(api: EngineClient, p: Project, r: Reporter, services: string[] = []) {
  for (const group of groupByService((await selected(api, p, services)).filter((c) => !c.oneoff)))
    await Promise.all(
      group
        .filter((c) => !running(c))
        .map(async (c) => {
          await startContainer(api, c.id);
          r.event('Container', c.name, 'Started');
        }),
    );
}

export async function restartServices(
  api: EngineClient,
  p: Project,
  r: Reporter,
  services: string[] = [],
  timeout?: number,
) {
  for (const group of groupByService(await selected(api, p, services)))
    await Promise.all(
      group.map(async (c) => {
        await restartContainer(api, c.id, { timeout });
        r.event('Container', c.name, 'Restarted');
      }),
    );
}

export async function killServices(api: EngineClient, p: Project, r: Reporter, services: string[], signal?: string) {
  for (const c of (await selected(api, p, services)).filter(running)) {
    await killContainer(api, c.id, signal);
    r.event('Container', c.name, 'Killed');
  }
}

/** `rm`: removes stopped containers (with -s, stops them first). */
export async function removeServices(
  api: EngineClient,
  p: Project,
  r: Reporter,
  services: string[],
  o: { stop?: boolean; volumes?: boolean } = {},
): Promise<Replica[]> {
  if (o.stop) await stopServices(api, p, r, services);
  const cs = (await selected(api, p, services, { oneoff: 'any' })).filter((c) => o.stop || !running(c));
  for (const c of cs) {
    await removeContainer(api, c.id, { force: true, volumes: o.volumes });
    r.event('Container', c.name, 'Removed');
  }
  return cs;
}

export interface DownOptions {
  volumes?: boolean;
  rmi?: 'all' | 'local';
  removeOrphans?: boolean;
  timeout?: number;
}

/** `down`: stops and removes the containers, then the networks; volumes and images when asked. */
export async function down(api: EngineClient, p: Project, r: Reporter, o: DownOptions = {}): Promise<void> {
  const all = await selected(api, p, [], { oneoff: 'any' });
  const known = (c: Replica) => !!(p.services[c.service] || p.disabled[c.service]);
  const orphans = all.filter((c) => !known(c) && !c.oneoff);
  if (orphans.length && !o.removeOrphans)
    r.warn(
      `Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project: use --remove-orphans to remove them`,
    );
  const victims = all.filter((c) => known(c) || c.oneoff || o.removeOrphans).reverse();
  for (const group of groupByService(victims))
    await Promise.all(
      group.map(async (c) => {
        if (running(c)) {
          r.event('Container', c.name, 'Stopping');
          await stopContainer(api, c.id, { timeout: o.timeout });
        }
        await removeContainer(api, c.id, { force: true, volumes: o.volumes });
        r.event('Container', c.name, 'Removed');
      }),
    );
  try {
    await removeNetworks(api, p.name, r);
  } catch (e) {
    // A daemon without the networks API has none to remove.
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  if (o.volumes) await removeVolumes(api, p.name, r);
  if (o.rmi) {
    const images = new Set<string>();
    for (const [n, s] of Object.entries({ ...p.services, ...p.disabled }))
      if (o.rmi === 'all' || !s.image || s.image === defaultImageName(p.name, n)) images.add(imageOf(p, n));
    for (const img of images) {
      try {
        await api.removeImage(img);
        r.event('Image', img, 'Removed');
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) r.warn(`image ${img}: ${(e as Error).message}`);
      }
    }
  }
}

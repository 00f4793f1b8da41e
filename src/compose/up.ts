/**
 * `up`: converges the daemon to the project. Networks and volumes first,
 * then images, then each service in dependency order (waiting for its
 * depends_on conditions): replicas whose config hash differs are
 * recreated, missing ones created, extra ones removed, stopped ones
 * started. Unchanged services are left alone.
 */
import type { EngineClient } from '../client/client.ts';
import { connectNetwork } from '../client/compose-calls.ts';
import {
  createContainer,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
} from '../client/containers.ts';
import { endpointFor, replicaRequest, serviceNetworks } from './convert.ts';
import { startLevels, withDependencies } from './graph.ts';
import { serviceHash } from './hash.ts';
import { ensureImages, imageOf } from './images.ts';
import { containerName } from './labels.ts';
import { replicasOf } from './project.ts';
import { ensureNetworks, ensureVolumes, usedNetworks, usedVolumes } from './resources.ts';
import { projectContainers, type Replica, type Reporter } from './state.ts';
import type { Project } from './types.ts';
import { waitFor } from './waits.ts';

export interface UpOptions {
  services?: string[];
  noDeps?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  build?: boolean;
  noBuild?: boolean;
  pull?: 'always' | 'missing' | 'never';
  scale?: Record<string, number>;
  removeOrphans?: boolean;
  /** Create only (`create`, `up --no-start`). */
  noStart?: boolean;
  /** Wait for running/healthy after starting. */
  wait?: boolean;
  waitTimeoutMs?: number;
  /** Stop timeout (seconds) for replaced containers. */
  timeout?: number;
}

export interface UpResult {
  /** Service → its container IDs after convergence. */
  containers: Record<string, string[]>;
  created: string[];
  recreated: string[];
}

export function selectServices(p: Project, names: string[] | undefined, noDeps = false): string[] {
  if (!names?.length) return Object.keys(p.services);
  return noDeps ? names : withDependencies(p.services, names);
}

async function stopAndRemove(api: EngineClient, c: Replica, r: Reporter, timeout?: number): Promise<void> {
  if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') {
    r.event('Container', c.name, 'Stopping');
    await stopContainer(api, c.id, { timeout });
  }
  await removeContainer(api, c.id, { force: true });
  r.event('Container', c.name, 'Removed');
}

export async function up(api: EngineClient, p: Project, r: Reporter, o: UpOptions = {}): Promise<UpResult> {
  const selected = selectServices(p, o.services, o.noDeps);
  await ensureNetworks(api, p, usedNetworks(p, selected), r);
  await ensureVolumes(api, p, usedVolumes(p, selected), r);
  await ensureImages(api, p, selected, r, o);

  const existing = await projectContainers(api, p.name);
  const orphans = existing.filter((c) => !p.services[c.service] && !p.disabled[c.service]);
  if (orphans.length) {
    if (o.removeOrphans) for (const c of orphans) await stopAndRemove(api, c, r, o.timeout);
    else
      r.warn(
        `Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      );
  }

  const result: UpResult = { containers: {}, created: [], recreated: [] };
  const containerOf = (svc: string) => result.containers[svc]?.[0] ?? existing.find((c) => c.service === svc)?.id;
  const changed = new Set<string>();

  for (const level of startLevels(p.services, selected)) {
    await Promise.all(
      level.map(async (name) => {
        const s = p.services[name];
        // Dependencies first: their conditions must hold before this service starts.
        if (!o.noStart)
          for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
            const ids = result.containers[dep] ?? existing.filter((c) => c.service === dep).map((c) => c.id);
            if (!ids.length) continue;
            if (cond.condition !== 'service_started') r.event('Container', `${p.name}-${dep}`, `Waiting`);
            await waitFor(api, ids, cond.condition, { timeoutMs: o.waitTimeoutMs });
            if (cond.condition === 'service_healthy') r.event('Container', `${p.name}-${dep}`, 'Healthy');
          }
        const image = imageOf(p, name);
        const imageId = (await api.inspectImage(image)).Id;
        const hash = serviceHash(s, imageId);
        const want = o.scale?.[name] ?? replicasOf(s);
        const mine = existing.filter((c) => c.service === name && !c.oneoff).sort((a, b) => a.number - b.number);
        const ids: string[] = [];
        // Extra replicas (highest numbers) go.
        for (const c of mine.slice(want).reverse()) await stopAndRemove(api, c, r, o.timeout);
        const kept = mine.slice(0, want);
        const restartForDeps = Object.entries(s.depends_on ?? {}).some(([d, c]) => c.restart && changed.has(d));
        const create = async (n: number) => {
          const cname = s.container_name ?? containerName(p.name, name, n);
          const req = replicaRequest({ project: p, service: name, number: n, image, hash, containerOf }, cname);
          r.event('Container', cname, 'Creating');
          const { Id } = await createContainer(api, req, { name: cname, platform: s.platform });
          for (const key of serviceNetworks(s).slice(1))
            await connectNetwork(
              api,
              p.networks[key].name ?? key,
              Id,
              endpointFor({ project: p, service: name, number: n, image, hash }, key, cname),
            );
          r.event('Container', cname, 'Created');
          if (!o.noStart) {
            r.event('Container', cname, 'Starting');
            await startContainer(api, Id);
            r.event('Container', cname, 'Started');
          }
          ids.push(Id);
          return Id;
        };
        for (const c of kept) {
          if (o.forceRecreate || (c.hash !== hash && !o.noRecreate)) {
            await stopAndRemove(api, c, r, o.timeout);
            await create(c.number);
            result.recreated.push(c.name);
            changed.add(name);
          } else if (restartForDeps && c.state === 'running') {
            await restartContainer(api, c.id, { timeout: o.timeout });
            r.event('Container', c.name, 'Restarted');
            ids.push(c.id);
          } else {
            if (c.state !== 'running' && !o.noStart) {
              r.event('Container', c.name, 'Starting');
              await startContainer(api, c.id);
              r.event('Container', c.name, 'Started');
            } else r.event('Container', c.name, 'Running');
            ids.push(c.id);
          }
        }
        const taken = new Set(kept.map((c) => c.number));
        for (let n = 1; ids.length < want; n++) {
          if (taken.has(n)) continue;
          taken.add(n);
          const cname = s.container_name ?? containerName(p.name, name, n);
          result.created.push(cname);
          changed.add(name);
          await create(n);
        }
        result.containers[name] = ids;
      }),
    );
  }

  if (o.wait && !o.noStart) {
    for (const name of selected) {
      const ids = result.containers[name] ?? [];
      // A service others wait on to complete may be done already.
      const completes = Object.values(p.services).some(
        (s) => s.depends_on?.[name]?.condition === 'service_completed_successfully',
      );
      await waitFor(api, ids, completes ? 'service_completed_successfully' : 'running_or_healthy', {
        timeoutMs: o.waitTimeoutMs,
      });
      r.event('Service', name, completes ? 'Completed' : 'Healthy');
    }
  }
  return result;
}

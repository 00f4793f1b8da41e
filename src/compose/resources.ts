/**
 * The project's networks and volumes on the daemon: created with the
 * Compose labels when missing, checked when external, removed by `down`.
 */
import type { EngineClient } from '../client/client.ts';
import {
  createNetwork,
  createVolume,
  inspectNetwork,
  inspectVolume,
  listNetworks,
  listVolumes,
  removeNetwork,
  removeVolume,
} from '../client/compose-calls.ts';
import { ApiError } from '../client/errors.ts';
import { ComposeError } from './errors.ts';
import { COMPOSE_VERSION, L, projectFilter } from './labels.ts';
import type { Reporter } from './state.ts';
import type { Project } from './types.ts';

const notFound = (e: unknown) => e instanceof ApiError && e.status === 404;

/** The networks used by the services given (by key). */
export function usedNetworks(p: Project, services: string[]): string[] {
  const keys = new Set<string>();
  for (const n of services) for (const k of Object.keys(p.services[n]?.networks ?? {})) keys.add(k);
  return [...keys].sort();
}

export function usedVolumes(p: Project, services: string[]): string[] {
  const keys = new Set<string>();
  for (const n of services)
    for (const v of p.services[n]?.volumes ?? []) if (v.type === 'volume' && v.source) keys.add(v.source);
  return [...keys].sort();
}

export async function ensureNetworks(api: EngineClient, p: Project, keys: string[], r: Reporter): Promise<void> {
  for (const key of keys) {
    const n = p.networks[key];
    const name = n.name ?? key;
    try {
      const have = await inspectNetwork(api, name);
      if (!n.external && have.Labels?.[L.project] && have.Labels[L.project] !== p.name)
        r.warn(`a network with name ${name} exists but was not created for project "${p.name}"`);
      continue;
    } catch (e) {
      if (!notFound(e)) throw e;
    }
    if (n.external) throw new ComposeError(`network ${name} declared as external, but could not be found`);
    await createNetwork(api, {
      Name: name,
      Driver: n.driver,
      Internal: n.internal,
      Attachable: n.attachable,
      EnableIPv6: n.enable_ipv6,
      Options: n.driver_opts,
      IPAM: n.ipam
        ? {
            Driver: n.ipam.driver,
            Options: n.ipam.options,
            Config: n.ipam.config?.map((c) => ({
              Subnet: c.subnet,
              IPRange: c.ip_range,
              Gateway: c.gateway,
              AuxiliaryAddresses: c.aux_addresses,
            })),
          }
        : undefined,
      Labels: { ...(n.labels ?? {}), [L.project]: p.name, [L.network]: key, [L.version]: COMPOSE_VERSION },
      CheckDuplicate: true,
    });
    r.event('Network', name, 'Created');
  }
}

export async function ensureVolumes(api: EngineClient, p: Project, keys: string[], r: Reporter): Promise<void> {
  for (const key of keys) {
    const v = p.volumes[key];
    const name = v.name ?? key;
    try {
      await inspectVolume(api, name);
      continue;
    } catch (e) {
      if (!notFound(e)) throw e;
    }
    if (v.external) throw new ComposeError(`external volume "${name}" not found`);
    await createVolume(api, {
      Name: name,
      Driver: v.driver,
      DriverOpts: v.driver_opts,
      Labels: { ...(v.labels ?? {}), [L.project]: p.name, [L.volume]: key, [L.version]: COMPOSE_VERSION },
    });
    r.event('Volume', name, 'Created');
  }
}

/** Removes the project's networks (by label, so renamed or orphaned ones go too); external ones stay. */
export async function removeNetworks(api: EngineClient, project: string, r: Reporter): Promise<void> {
  for (const n of await listNetworks(api, projectFilter(project))) {
    try {
      await removeNetwork(api, n.Id ?? n.Name);
      r.event('Network', n.Name, 'Removed');
    } catch (e) {
      if (!notFound(e)) r.warn(`network ${n.Name}: ${(e as Error).message}`);
    }
  }
}

export async function removeVolumes(api: EngineClient, project: string, r: Reporter): Promise<void> {
  for (const v of await listVolumes(api, projectFilter(project))) {
    try {
      await removeVolume(api, v.Name);
      r.event('Volume', v.Name, 'Removed');
    } catch (e) {
      if (!notFound(e)) r.warn(`volume ${v.Name}: ${(e as Error).message}`);
    }
  }
}

/** Whether the daemon has the networks API (berthd before networks landed answers 404 to the listing). */
export async function hasNetworkApi(api: EngineClient): Promise<boolean> {
  try {
    await listNetworks(api);
    return true;
  } catch (e) {
    if (notFound(e)) return false;
    throw e;
  }
}

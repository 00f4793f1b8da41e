/**
 * Engine API calls the berth CLI needs beyond compose-calls.ts: network
 * disconnect and the prune endpoints (networks, volumes, build cache).
 */
import { type EngineClient, type Filters, readAll } from './client.ts';

const enc = encodeURIComponent;
const filterQuery = (f?: Filters) => (f && Object.keys(f).length ? JSON.stringify(f) : undefined);

export async function disconnectNetwork(
  api: EngineClient,
  network: string,
  container: string,
  force = false,
): Promise<void> {
  await readAll(
    await api.send({
      method: 'POST',
      path: `/networks/${enc(network)}/disconnect`,
      body: { Container: container, Force: force },
    }),
  );
}

export async function pruneNetworks(api: EngineClient, filters?: Filters): Promise<{ NetworksDeleted: string[] }> {
  const r = await api.json<{ NetworksDeleted: string[] | null }>({
    method: 'POST',
    path: '/networks/prune',
    query: { filters: filterQuery(filters) },
  });
  return { NetworksDeleted: r.NetworksDeleted ?? [] };
}

export async function pruneVolumes(
  api: EngineClient,
  filters?: Filters,
): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
  const r = await api.json<{ VolumesDeleted: string[] | null; SpaceReclaimed?: number }>({
    method: 'POST',
    path: '/volumes/prune',
    query: { filters: filterQuery(filters) },
  });
  return { VolumesDeleted: r.VolumesDeleted ?? [], SpaceReclaimed: r.SpaceReclaimed ?? 0 };
}

/** `POST /build/prune`: the build cache (all of it with `all`). */
export async function pruneBuildCache(
  api: EngineClient,
  o: { all?: boolean; filters?: Filters } = {},
): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
  const r = await api.json<{ CachesDeleted: string[] | null; SpaceReclaimed?: number }>({
    method: 'POST',
    path: '/build/prune',
    query: { all: o.all || undefined, filters: filterQuery(o.filters) },
  });
  return { CachesDeleted: r.CachesDeleted ?? [], SpaceReclaimed: r.SpaceReclaimed ?? 0 };
}

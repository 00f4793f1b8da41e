/**
 * Engine API calls berth compose needs beyond containers.ts: networks,
 * volumes, image build, push and existence. Written against the Docker
 * Engine API contracts, so they work with berthd and with any
 * Docker-compatible daemon.
 */
import type { Readable } from 'node:stream';
import type { ProgressMessage } from '../wire/images.ts';
import type { Volume, VolumeCreateRequest } from '../wire/volumes.ts';
import { type EngineClient, type Filters, readAll } from './client.ts';
import { ApiError } from './errors.ts';

const enc = encodeURIComponent;
const filterQuery = (f?: Filters) => (f && Object.keys(f).length ? JSON.stringify(f) : undefined);

export interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope?: string;
  Internal?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> };
  Labels: Record<string, string> | null;
  Containers?: Record<string, { Name: string; IPv4Address?: string }>;
  [key: string]: unknown;
}

export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: Array<{
      Subnet?: string;
      IPRange?: string;
      Gateway?: string;
      AuxiliaryAddresses?: Record<string, string>;
    }>;
    Options?: Record<string, string>;
  };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
  CheckDuplicate?: boolean;
}

export interface EndpointSettings {
  Aliases?: string[];
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  MacAddress?: string;
  DriverOpts?: Record<string, string>;
}

export function listNetworks(api: EngineClient, filters?: Filters): Promise<NetworkSummary[]> {
  return api.json({ path: '/networks', query: { filters: filterQuery(filters) } });
}

export function inspectNetwork(api: EngineClient, id: string): Promise<NetworkSummary> {
  return api.json({ path: `/networks/${enc(id)}` });
}

export function createNetwork(
  api: EngineClient,
  body: NetworkCreateRequest,
): Promise<{ Id: string; Warning?: string }> {
  return api.json({ method: 'POST', path: '/networks/create', body });
}

export async function removeNetwork(api: EngineClient, id: string): Promise<void> {
  await readAll(await api.send({ method: 'DELETE', path: `/networks/${enc(id)}` }));
}

export async function connectNetwork(
  api: EngineClient,
  network: string,
  container: string,
  endpoint: EndpointSettings = {},
): Promise<void> {
  await readAll(
    await api.send({
      method: 'POST',
      path: `/networks/${enc(network)}/connect`,
      body: { Container: container, EndpointConfig: endpoint },
    }),
  );
}

export async function listVolumes(api: EngineClient, filters?: Filters): Promise<Volume[]> {
  const r = await api.json<{ Volumes: Volume[] | null }>({
    path: '/volumes',
    query: { filters: filterQuery(filters) },
  });
  return r.Volumes ?? [];
}

export function inspectVolume(api: EngineClient, name: string): Promise<Volume> {
  return api.json({ path: `/volumes/${enc(name)}` });
}

export function createVolume(api: EngineClient, body: VolumeCreateRequest): Promise<Volume> {
  return api.json({ method: 'POST', path: '/volumes/create', body });
}

export async function removeVolume(api: EngineClient, name: string, force = false): Promise<void> {
  await readAll(await api.send({ method: 'DELETE', path: `/volumes/${enc(name)}`, query: { force } }));
}

/** True when the daemon has the image; false on 404. */
export async function imageExists(api: EngineClient, ref: string): Promise<boolean> {
  try {
    await api.inspectImage(ref);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
}

export interface BuildOptions {
  tags: string[];
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  pull?: boolean;
  noCache?: boolean;
  network?: string;
  shmSize?: number;
  extraHosts?: string[];
  cacheFrom?: string[];
  platform?: string;
}

/** `POST /build` with a tar context; yields the daemon's JSON-lines progress (an error line throws). */
export function buildImage(api: EngineClient, context: Readable, o: BuildOptions): AsyncGenerator<ProgressMessage> {
  return api.jsonLines({
    method: 'POST',
    path: '/build',
    query: {
      t: o.tags,
      dockerfile: o.dockerfile,
      buildargs: o.buildArgs && JSON.stringify(o.buildArgs),
      target: o.target,
      labels: o.labels && JSON.stringify(o.labels),
      pull: o.pull,
      nocache: o.noCache,
      networkmode: o.network,
      shmsize: o.shmSize,
      extrahosts: o.extraHosts?.join(','),
      cachefrom: o.cacheFrom && JSON.stringify(o.cacheFrom),
      platform: o.platform,
      rm: true,
    },
    stream: context,
    headers: { 'Content-Type': 'application/x-tar' },
  });
}

/** `POST /images/{name}/push` (auth: base64 JSON, `{}` when none). */
export function pushImage(
  api: EngineClient,
  name: string,
  tag?: string,
  auth = 'e30=',
): AsyncGenerator<ProgressMessage> {
  return api.jsonLines({
    method: 'POST',
    path: `/images/${enc(name)}/push`,
    query: { tag },
    headers: { 'X-Registry-Auth': auth },
  });
}

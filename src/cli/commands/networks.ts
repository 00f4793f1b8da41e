/** berth network create/ls/inspect/rm/connect/disconnect/prune. */
import {
  connectNetwork,
  createNetwork,
  inspectNetwork,
  listNetworks,
  type NetworkCreateRequest,
  type NetworkSummary,
  removeNetwork,
} from '../../client/compose-calls.ts';
import { ApiError } from '../../client/errors.ts';
import { disconnectNetwork, pruneNetworks } from '../../client/networks.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { shortId, table } from '../output.ts';
import { renderRows } from '../template.ts';
import { confirm, deletedBlock, goTime, inspectEach, keyValues, labelsText } from './resource-helpers.ts';

export interface NetworkCreateFlags {
  driver?: string;
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  internal?: boolean;
  label?: string[];
  opt?: string[];
  attachable?: boolean;
  ipamDriver?: string;
  ipv6?: boolean;
}

/** The request `network create` sends: gateways and ranges pair with the subnet that contains them. */
export function networkCreateRequest(name: string, o: NetworkCreateFlags): NetworkCreateRequest {
  const subnets = o.subnet ?? [];
  const config = subnets.map((Subnet) => ({ Subnet }) as { Subnet: string; Gateway?: string; IPRange?: string });
  const place = (values: string[] | undefined, key: 'Gateway' | 'IPRange') => {
    for (const v of values ?? []) {
      const at = config.findIndex((c) => c[key] === undefined && contains(c.Subnet, v));
      if (at < 0) throw new Error('every ip-range or gateway must have a corresponding subnet');
      config[at][key] = v;
    }
  };
  place(o.gateway, 'Gateway');
  place(o.ipRange, 'IPRange');
  return {
    Name: name,
    Driver: o.driver ?? 'bridge',
    Internal: !!o.internal,
    Attachable: !!o.attachable,
    EnableIPv6: o.ipv6 || undefined,
    IPAM: { Driver: o.ipamDriver ?? 'default', Config: config, Options: {} },
    Options: keyValues(o.opt),
    Labels: keyValues(o.label),
    CheckDuplicate: true,
  };
}

/** True when the address (or the first address of a CIDR range) lies in the IPv4 subnet. */
function contains(subnet: string, addr: string): boolean {
  const num = (ip: string) => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  const [base, bits] = subnet.split('/');
  const ip = addr.split('/')[0];
  if (!base || !ip || !base.includes('.') || !ip.includes('.')) return true;
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = Math.floor(num(base) / size) * size;
  return num(ip) >= start && num(ip) < start + size;
}

export async function create(name: string, o: NetworkCreateFlags): Promise<void> {
  const r = await createNetwork(api(), networkCreateRequest(name, o));
  if (r.Warning) process.stderr.write(`${r.Warning}\n`);
  process.stdout.write(`${r.Id}\n`);
}

const HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** The fields of docker's network formatter (in its JSON order). */
function row(n: NetworkSummary, noTrunc: boolean) {
  const labels = n.Labels ?? {};
  return {
    CreatedAt: goTime(n.Created as string | undefined),
    Driver: n.Driver,
    ID: noTrunc ? n.Id : shortId(n.Id),
    IPv4: String(n.EnableIPv4 ?? true),
    IPv6: String(!!n.EnableIPv6),
    Internal: String(!!n.Internal),
    Labels: labelsText(labels),
    Name: n.Name,
    Scope: n.Scope ?? 'local',
    Label: (k: string) => labels[k] ?? '',
  };
}

export async function list(o: { filter?: string[]; quiet?: boolean; format?: string; noTrunc?: boolean }) {
  const nets = (await listNetworks(api(), filterFlags(o.filter))).sort((a, b) =>
    a.Name.localeCompare(b.Name, 'en', { numeric: true }),
  );
  const rows = nets.map((n) => row(n, !!o.noTrunc));
  if (o.quiet) return void process.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
  if (o.format && o.format !== 'table') {
    if (o.format === 'json') process.stdout.write(rows.map(({ Label: _l, ...r }) => `${JSON.stringify(r)}\n`).join(''));
    else process.stdout.write(renderRows(o.format, rows, HEADERS));
    return;
  }
  process.stdout.write(
    table(
      ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'],
      rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope]),
    ),
  );
}

export function inspect(names: string[], o: { format?: string }): Promise<void> {
  return inspectEach(names, (n) => inspectNetwork(api(), n), o);
}

export async function remove(names: string[], o: { force?: boolean }): Promise<void> {
  let failed = false;
  for (const n of names) {
    try {
      await removeNetwork(api(), n);
      process.stdout.write(`${n}\n`);
    } catch (e) {
      if (o.force && e instanceof ApiError && e.status === 404) continue;
      failed = true;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

export async function connect(
  network: string,
  container: string,
  o: { alias?: string[]; ip?: string; ip6?: string; link?: string[]; driverOpt?: string[] },
): Promise<void> {
  const ipam = o.ip || o.ip6 ? { IPv4Address: o.ip, IPv6Address: o.ip6 } : undefined;
  await connectNetwork(api(), network, container, {
    Aliases: o.alias,
    IPAMConfig: ipam,
    DriverOpts: o.driverOpt ? keyValues(o.driverOpt) : undefined,
    ...(o.link ? { Links: o.link } : {}),
  });
}

export async function disconnect(network: string, container: string, o: { force?: boolean }): Promise<void> {
  await disconnectNetwork(api(), network, container, !!o.force);
}

export async function prune(o: { force?: boolean; filter?: string[] }): Promise<void> {
  if (
    !o.force &&
    !(await confirm(
      'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?',
    ))
  )
    return;
  process.stdout.write(await pruneNetworksText(filterFlags(o.filter)));
}

/** Prunes networks and returns docker's report of them (shared with system prune). */
export async function pruneNetworksText(filters: Record<string, string[]>): Promise<string> {
  const r = await pruneNetworks(api(), filters);
  return deletedBlock('Deleted Networks', r.NetworksDeleted);
}

/**
 * The networks domain: the predefined networks (bridge, host, none),
 * user-defined bridge networks (create, list, inspect, remove, prune,
 * connect, disconnect) and their address pools. Containers are wired by
 * sandbox.ts; the host side (bridges, firewall, resolver) is host.ts.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import {
  AddressPool,
  bridgeNameFor,
  claimHostSubnet,
  defaultBridgeName,
  formatIp,
  formatSubnet,
  hostRoutes,
  parseSubnet,
  pickSubnet,
  poolConfig,
  type Subnet,
} from '../../network/index.ts';
import type { ContainerRecord } from '../containers/record.ts';
import type { EventBus } from '../events.ts';
import { type Filters, matchLabels } from '../filters.ts';
import type { HostNetwork } from './host.ts';
import { type NetworkRecord, PREDEFINED } from './record.ts';
import type { NetworkStore } from './store.ts';
import { networkView } from './view.ts';

export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  CheckDuplicate?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }>;
    Options?: Record<string, string>;
  };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function newId(): string {
  return randomBytes(32).toString('hex');
}

function record(name: string, driver: NetworkRecord['Driver'], extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    Name: name,
    Id: newId(),
    Created: new Date().toISOString(),
    Scope: 'local',
    Driver: driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Options: {},
    Labels: {},
    ...extra,
  };
}

export class NetworkService {
  readonly store: NetworkStore;
  readonly host: HostNetwork;
  private events: EventBus;
  private defaultSubnet: string;
  private pools = new Map<string, AddressPool>();
  /** Every container record (set by the engine once containers exist). */
  containers: () => ContainerRecord[] = () => [];

  constructor(store: NetworkStore, host: HostNetwork, events: EventBus, defaultSubnet: string) {
    this.store = store;
    this.host = host;
    this.events = events;
    this.defaultSubnet = defaultSubnet;
  }

  /**
   * The predefined networks exist, and the default bridge is up on the host
   * with a subnet away from the host's routes: claimed now, not at the first
   * container, so that a daemon started beside this one sees it taken.
   */
  ensurePredefined(): void {
    if (!this.store.find('none')) this.store.save(record('none', 'null'));
    if (!this.store.find('host')) this.store.save(record('host', 'host'));
    const br = defaultBridgeName(this.host.instance);
    const found = this.store.find('bridge');
    if (found && this.host.nl.linkIndex(br) !== 0) return;
    const bridge =
      found ??
      record('bridge', 'bridge', {
        Options: {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.name': br,
          'com.docker.network.driver.mtu': '1500',
        },
      });
    bridge.bridge = br;
    this.claim(bridge, [br], parseSubnet(this.defaultSubnet));
  }

  /**
   * Picks a free subnet for `n` (the preferred one when free), records it and
   * creates its bridge, all under the host-wide claim lock.
   */
  private claim(n: NetworkRecord, skipBridges: string[] = [], preferred?: Subnet, ipRange?: string): void {
    claimHostSubnet(() => {
      const s = pickSubnet(this.takenSubnets(n.Id, skipBridges), preferred);
      n.IPAM.Config = [
        { Subnet: formatSubnet(s), Gateway: formatIp((s.base + 1) >>> 0), ...(ipRange ? { IPRange: ipRange } : {}) },
      ];
      this.store.save(n);
      this.host.bridge(n.bridge as string, (s.base + 1) >>> 0, s.prefix);
    });
  }

  /** Subnets in use on the host (other than by `skipBridges`) and by other networks. */
  private takenSubnets(exceptId?: string, skipBridges: string[] = []): Subnet[] {
    const out = hostRoutes()
      .filter((r) => !skipBridges.includes(r.iface))
      .map((r) => r.subnet);
    for (const n of this.store.all()) {
      if (n.Id === exceptId) continue;
      for (const c of n.IPAM.Config) if (c.Subnet) out.push(parseSubnet(c.Subnet));
    }
    return out;
  }

  find(ref: string): NetworkRecord | undefined {
    return this.store.find(ref);
  }

  get(ref: string): NetworkRecord {
    const n = this.store.find(ref);
    if (!n) throw new NotFoundError(`network ${ref} not found`);
    return n;
  }

  pool(n: NetworkRecord): AddressPool {
    let p = this.pools.get(n.Id);
    if (!p) {
      const c = n.IPAM.Config[0];
      p = new AddressPool(poolConfig(c.Subnet, c.Gateway, c.IPRange));
      for (const r of this.containers()) {
        const ip = (r.networks?.[n.Name] as { IPAddress?: string } | undefined)?.IPAddress;
        if (ip && r.State.Running) p.allocate(ip);
      }
      this.pools.set(n.Id, p);
    }
    return p;
  }

  private publish(n: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.publish('network', action, n.Id, { name: n.Name, type: n.Driver, ...extra });
  }

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const name = req.Name;
    if (!name || !NAME_RE.test(name)) throw new InvalidArgumentError(`invalid network name "${name ?? ''}"`);
    if (this.store.all().some((n) => n.Name === name))
      throw new ConflictError(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver !== 'bridge')
      throw new InvalidArgumentError(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
    if (req.IPAM?.Driver && req.IPAM.Driver !== 'default')
      throw new InvalidArgumentError(`IPAM driver ${req.IPAM.Driver} is not supported: only "default" is`);
    const asked = req.IPAM?.Config?.[0];
    const n = record(name, 'bridge', {
      Internal: !!req.Internal,
      Attachable: !!req.Attachable,
      Options: req.Options ?? {},
      Labels: req.Labels ?? {},
    });
    n.IPAM.Options = req.IPAM?.Options ?? {};
    n.bridge = req.Options?.['com.docker.network.bridge.name'] || bridgeNameFor(this.host.instance, n.Id);
    if (asked?.Subnet) {
      const s = parseSubnet(asked.Subnet);
      if (this.store.all().some((x) => x.IPAM.Config.some((c) => c.Subnet && overlapsSubnet(c.Subnet, s))))
        throw new ConflictError(`invalid pool request: Pool overlaps with other one on this address space`);
      const pc = poolConfig(asked.Subnet, asked.Gateway, asked.IPRange);
      n.IPAM.Config = [
        {
          Subnet: formatSubnet(pc.subnet),
          Gateway: formatIp(pc.gateway),
          ...(asked.IPRange ? { IPRange: asked.IPRange } : {}),
        },
      ];
    }
    try {
      if (asked?.Subnet) this.store.save(n);
      else this.claim(n, [], undefined, asked?.IPRange);
      await this.onCreate(n);
    } catch (e) {
      this.store.delete(n.Id);
      if (n.bridge) this.host.deleteLink(n.bridge);
      throw e;
    }
    this.publish(n, 'create');
    return { Id: n.Id, Warning: '' };
  }

  /** Running containers with an endpoint on the network. */
  activeUsers(n: NetworkRecord): ContainerRecord[] {
    return this.containers().filter(
      (c) => c.State.Running && c.networks?.[n.Name] && c.HostConfig.NetworkMode !== 'host',
    );
  }

  list(f: Filters): Record<string, unknown>[] {
    const any = (k: string, pred: (v: string) => boolean) => !f.has(k) || (f.get(k) as string[]).some(pred);
    const custom = (n: NetworkRecord) => !(PREDEFINED as readonly string[]).includes(n.Name);
    return this.store
      .all()
      .filter(
        (n) =>
          any('name', (v) => n.Name.includes(v)) &&
          any('id', (v) => n.Id.startsWith(v)) &&
          any('driver', (v) => n.Driver === v) &&
          any('scope', (v) => v === 'local') &&
          any('type', (v) => (v === 'custom' ? custom(n) : v === 'builtin' ? !custom(n) : false)) &&
          any('dangling', (v) => (v === 'true' || v === '1') === (custom(n) && !this.usedBy(n).length)) &&
          matchLabels(f, n.Labels),
      )
      .map((n) => networkView(n));
  }

  inspect(ref: string): Record<string, unknown> {
    return networkView(this.get(ref), this.containers());
  }

  /** Containers (any state) that name the network. */
  usedBy(n: NetworkRecord): ContainerRecord[] {
    return this.containers().filter((c) => c.networks?.[n.Name]);
  }

  async remove(ref: string): Promise<void> {
    const n = this.get(ref);
    if ((PREDEFINED as readonly string[]).includes(n.Name))
      throw new ForbiddenError(`${n.Name} is a pre-defined network and cannot be removed`);
    const active = this.activeUsers(n);
    if (active.length)
      throw new ConflictError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
    this.store.delete(n.Id);
    this.pools.delete(n.Id);
    if (n.bridge) this.host.deleteLink(n.bridge);
    this.publish(n, 'destroy');
    await this.onChange();
  }

  async prune(f: Filters): Promise<{ NetworksDeleted: string[] }> {
    const deleted: string[] = [];
    for (const n of this.store.all()) {
      if ((PREDEFINED as readonly string[]).includes(n.Name) || !matchLabels(f, n.Labels)) continue;
      if (this.usedBy(n).length) continue;
      await this.remove(n.Id);
      deleted.push(n.Name);
    }
    return { NetworksDeleted: deleted };
  }

  /** Called when networks or endpoints change: firewall and DNS follow (set by the sandbox layer). */
  onChange: () => Promise<void> = async () => {};
  /** Called after a network is recorded: its bridge and resolver come up. */
  onCreate: (n: NetworkRecord) => Promise<void> = async () => {};
}

function overlapsSubnet(a: string, b: Subnet): boolean {
  const s = parseSubnet(a);
  const p = Math.min(s.prefix, b.prefix);
  const m = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
  return (s.base & m) >>> 0 === (b.base & m) >>> 0;
}

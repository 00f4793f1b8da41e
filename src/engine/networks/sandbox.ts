/**
 * Containers on networks: what `create` records (plan), what `start` wires
 * (attach: a ready namespace, one veth per network, addresses, published
 * ports, DNS records) and what an exit undoes (detach: bookkeeping at once,
 * kernel and firewall work in the background, off the critical path).
 * Also `network connect/disconnect` and recovery at daemon start.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import {
  connectEndpoint,
  type DnsRecords,
  type FirewallState,
  formatIp,
  hostLinks,
  isInstanceLink,
  listNetns,
  Netlink,
  netnsPath,
  parseIp,
  portMap,
  type Reservation,
  removeNetns,
  requestedBindings,
  reserve,
} from '../../network/index.ts';
import type { HostConfig } from '../../wire/containers.ts';
import type { ContainerRecord } from '../containers/record.ts';
import type { EventBus } from '../events.ts';
import { clearRuntime, type EndpointConfig, endpointSettings } from './endpoints.ts';
import type { NetworkService } from './network-service.ts';
import { planEndpoints } from './plan.ts';
import { isSpecialMode, type NetSandbox, type NetworkRecord, networkModeOf, sandboxOf, setSandbox } from './record.ts';

export interface NetworkAttachment {
  /** The namespace the runtime joins (none: a private one with loopback only, or the host's). */
  netns?: string;
  addresses: string[];
  /** The embedded resolver's address, for resolv.conf (user-defined networks). */
  embeddedDns?: string;
}

export interface ContainerLookup {
  find(ref: string): ContainerRecord | undefined;
  all(): ContainerRecord[];
  save(rec: ContainerRecord): void;
}

export class ContainerNetworking {
  private svc: NetworkService;
  private log: Logger;
  private events: EventBus;
  private upstreams: string[];
  private records: ContainerLookup | undefined;
  private bridges = new Map<string, number>();
  private pending = new Map<string, Promise<void>>();
  private hasPorts = false;

  constructor(svc: NetworkService, events: EventBus, upstreams: string[], log: Logger) {
    this.svc = svc;
    this.events = events;
    this.upstreams = upstreams;
    this.log = log;
    svc.onChange = () => this.sync(true);
    svc.onCreate = (n) => this.prepare(n);
  }

  bindContainers(records: ContainerLookup): void {
    this.records = records;
    this.svc.containers = () => records.all();
  }

  private get host() {
    return this.svc.host;
  }

  /** At create: the network mode settled ("default" → bridge) and the endpoints to join. */
  plan(
    hc: HostConfig,
    nc: { EndpointsConfig?: Record<string, unknown> } | undefined,
  ): Record<string, Record<string, unknown>> {
    return planEndpoints(this.svc, (ref) => !!this.records?.find(ref), hc, nc);
  }

  private bridgeIndex(n: NetworkRecord): number {
    const name = n.bridge as string;
    let idx = this.bridges.get(name);
    if (!idx) {
      const c = n.IPAM.Config[0];
      const [, p] = c.Subnet.split('/');
      idx = this.host.bridge(name, parseIp(c.Gateway), Number(p));
      this.bridges.set(name, idx);
    }
    return idx;
  }

  /** Wires one endpoint into a namespace; fills the endpoint settings. */
  private wire(
    rec: ContainerRecord,
    n: NetworkRecord,
    nsNl: Netlink,
    sb: NetSandbox,
    ifIndex: number,
    first: boolean,
  ): void {
    const ep = rec.networks[n.Name];
    const pool = this.svc.pool(n);
    const wanted = (ep.IPAMConfig as { IPv4Address?: string } | null)?.IPv4Address;
    const ip = pool.allocate(wanted);
    try {
      const [, p] = n.IPAM.Config[0].Subnet.split('/');
      const gateway = parseIp(n.IPAM.Config[0].Gateway);
      const veth = this.host.newVethName();
      const mac = connectEndpoint(this.host.nl, nsNl, sb.netns, {
        veth,
        ifname: `eth${ifIndex}`,
        bridgeIndex: this.bridgeIndex(n),
        ip,
        prefix: Number(p),
        gateway,
        defaultRoute: first && !n.Internal,
      });
      sb.veths[n.Name] = veth;
      const short = rec.Id.slice(0, 12);
      Object.assign(ep, {
        NetworkID: n.Id,
        EndpointID: randomBytes(32).toString('hex'),
        Gateway: formatIp(gateway),
        IPAddress: formatIp(ip),
        IPPrefixLen: Number(p),
        MacAddress: mac,
        DNSNames: n.Name === 'bridge' ? null : [rec.Name.slice(1), short, ...((ep.Aliases as string[] | null) ?? [])],
      });
    } catch (e) {
      pool.release(ip);
      throw e;
    }
  }

  /** Before the runtime creates the container. */
  async attach(rec: ContainerRecord): Promise<NetworkAttachment> {
    await this.pending.get(rec.Id);
    const mode = networkModeOf(rec.HostConfig.NetworkMode);
    if (mode === 'none' || mode === 'host') return { addresses: [] };
    if (mode.startsWith('container:')) {
      const other = this.records?.find(mode.slice('container:'.length));
      if (!other?.State.Running)
        throw new ConflictError(`cannot join network namespace of a non running container: ${mode.slice(10)}`);
      return { netns: `/proc/${other.State.Pid}/ns/net`, addresses: [] };
    }
    if (!rec.networks || !Object.keys(rec.networks).length) rec.networks = this.plan(rec.HostConfig, undefined);
    const nets = Object.keys(rec.networks).map((name) => this.svc.get(name));
    const ready = this.host.takeNetns();
    const sb: NetSandbox = { netns: ready.path, veths: {}, ports: [] };
    let reservations: Reservation[] = [];
    try {
      for (const [i, n] of nets.entries()) this.wire(rec, n, ready.nl, sb, i, i === 0);
      const bindings = requestedBindings(
        rec.HostConfig.PortBindings,
        !!rec.HostConfig.PublishAllPorts,
        rec.Config.ExposedPorts,
      );
      reservations = await Promise.all(bindings.map((b) => reserve(b)));
      sb.ports = reservations.map((r) => r.binding);
      this.host.holdPorts(rec.Id, reservations);
      setSandbox(rec, sb);
      await this.sync(sb.ports.length > 0);
    } catch (e) {
      for (const r of reservations) r.close();
      this.undo(rec, sb);
      throw e;
    } finally {
      ready.nl.close();
    }
    const user = nets.find((n) => n.Name !== 'bridge');
    if (user) await this.dnsReady(user);
    return {
      netns: sb.netns,
      addresses: nets.map((n) => rec.networks[n.Name].IPAddress as string),
      embeddedDns: user?.IPAM.Config[0].Gateway,
    };
  }

  private dnsServed = new Set<string>();

  /** The resolver serves the network (checked once per network and daemon life). */
  private async dnsReady(n: NetworkRecord): Promise<void> {
    if (this.dnsServed.has(n.Id)) return;
    await this.host.resolverReady(n.IPAM.Config[0].Gateway);
    this.dnsServed.add(n.Id);
  }

  /** A user network's bridge and resolver are made at its creation (as Docker makes the bridge). */
  async prepare(n: NetworkRecord): Promise<void> {
    this.bridgeIndex(n);
    await this.sync(false);
    await this.dnsReady(n);
  }

  /** Releases addresses and endpoint settings; kernel state goes in the background. */
  private undo(rec: ContainerRecord, sb: NetSandbox): void {
    for (const [name, ep] of Object.entries(rec.networks ?? {})) {
      const n = this.svc.find(name);
      if (n && ep.IPAddress) this.svc.pool(n).release(parseIp(ep.IPAddress as string));
      clearRuntime(ep);
    }
    // Unmounting the namespace is all: with its last user gone the kernel destroys it and its
    // veths (both ends) in its own worker. An RTM_DELLINK here would block the daemon's
    // thread for an RCU grace period (10-50 ms) per veth, delaying the next request.
    const work = (this.pending.get(rec.Id) ?? Promise.resolve()).then(async () => {
      removeNetns(sb.netns);
    });
    this.track(rec.Id, work);
  }

  private track(id: string, p: Promise<void>): void {
    const q = p.catch((e) => this.log.warn('network teardown failed', { id, error: e }));
    this.pending.set(id, q);
    void q.finally(() => {
      if (this.pending.get(id) === q) this.pending.delete(id);
    });
  }

  /** After the container exited (idempotent). */
  detach(rec: ContainerRecord): void {
    const sb = sandboxOf(rec);
    if (!sb) return;
    setSandbox(rec, undefined);
    this.undo(rec, sb);
    const hadPorts = sb.ports.length > 0;
    if (hadPorts) this.host.releasePorts(rec.Id);
    if (this.records?.find(rec.Id)) this.records.save(rec);
    this.track(
      rec.Id,
      (this.pending.get(rec.Id) ?? Promise.resolve()).then(() => this.sync(hadPorts)),
    );
  }

  /** Waits for background teardowns (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  /** The firewall (when `firewall`) and the resolver's records follow the current state. */
  async sync(firewall = false): Promise<void> {
    const running = (this.records?.all() ?? []).filter((c) => sandboxOf(c));
    const bridgeNets = this.svc.store
      .all()
      .filter((n) => n.Driver === 'bridge' && n.bridge && this.bridges.has(n.bridge));
    const userNets = bridgeNets.filter((n) => n.Name !== 'bridge');
    const dns: DnsRecords = { instance: this.host.instance, upstreams: this.upstreams, networks: {}, members: {} };
    for (const n of userNets) dns.networks[n.Id] = { gateway: n.IPAM.Config[0].Gateway, names: {} };
    for (const c of running) {
      for (const [name, ep] of Object.entries(c.networks ?? {})) {
        const ip = ep.IPAddress as string;
        const n = this.svc.find(name);
        if (!ip || !n || !dns.networks[n.Id]) continue;
        dns.members[ip] = [...(dns.members[ip] ?? []), n.Id];
        const names = dns.networks[n.Id].names;
        for (const k of (ep.DNSNames as string[] | null) ?? [])
          names[k.toLowerCase()] = [...(names[k.toLowerCase()] ?? []), ip];
      }
    }
    if (bridgeNets.length) await this.host.writeDns(dns, true);
    const newBridges = bridgeNets.length !== this.firewallNets;
    if (!firewall && !newBridges) return;
    this.firewallNets = bridgeNets.length;
    const fw: FirewallState = {
      networks: bridgeNets.map((n) => ({
        bridge: n.bridge as string,
        subnet: n.IPAM.Config[0].Subnet,
        internal: n.Internal,
      })),
      ports: [],
    };
    for (const c of running) {
      const sb = sandboxOf(c) as NetSandbox;
      const first = Object.entries(c.networks ?? {}).find(([, ep]) => ep.IPAddress);
      if (!first) continue;
      const n = this.svc.find(first[0]);
      for (const p of sb.ports) fw.ports.push({ ...p, ip: first[1].IPAddress as string, bridge: n?.bridge as string });
    }
    this.hasPorts = fw.ports.length > 0;
    await this.host.applyFirewall(fw);
  }

  private firewallNets = -1;

  /** NetworkSettings.Ports of a container. */
  ports(rec: ContainerRecord): Record<string, unknown> {
    return portMap(sandboxOf(rec)?.ports ?? [], rec.Config.ExposedPorts);
  }

  async connect(netRef: string, containerRef: string, cfg: EndpointConfig | undefined): Promise<void> {
    const n = this.svc.get(netRef);
    const rec = this.records?.find(containerRef);
    if (!rec) throw new NotFoundError(`No such container: ${containerRef}`);
    const mode = networkModeOf(rec.HostConfig.NetworkMode);
    if (isSpecialMode(mode) || n.Driver !== 'bridge')
      throw new ForbiddenError(
        'container sharing network namespace with another container or host cannot be connected to any other network',
      );
    if (rec.networks?.[n.Name])
      throw new ForbiddenError(`endpoint with name ${rec.Name.slice(1)} already exists in network ${n.Name}`);
    rec.networks = { ...(rec.networks ?? {}), [n.Name]: endpointSettings(n, cfg) };
    const sb = sandboxOf(rec);
    if (rec.State.Running && sb) {
      const nl = Netlink.open(sb.netns);
      try {
        this.wire(rec, n, nl, sb, Object.keys(sb.veths).length, false);
      } catch (e) {
        delete rec.networks[n.Name];
        throw e;
      } finally {
        nl.close();
      }
    }
    this.records?.save(rec);
    this.events.publish('network', 'connect', n.Id, { container: rec.Id, name: n.Name, type: n.Driver });
    await this.sync(false);
  }

  async disconnect(netRef: string, containerRef: string): Promise<void> {
    const n = this.svc.get(netRef);
    const rec = this.records?.find(containerRef);
    if (!rec) throw new NotFoundError(`No such container: ${containerRef}`);
    const ep = rec.networks?.[n.Name];
    if (!ep) throw new InvalidArgumentError(`container ${rec.Id} is not connected to network ${n.Name}`);
    const sb = sandboxOf(rec);
    if (sb?.veths[n.Name]) {
      this.host.deleteLink(sb.veths[n.Name]);
      delete sb.veths[n.Name];
    }
    if (ep.IPAddress) this.svc.pool(n).release(parseIp(ep.IPAddress as string));
    delete rec.networks[n.Name];
    this.records?.save(rec);
    this.events.publish('network', 'disconnect', n.Id, { container: rec.Id, name: n.Name, type: n.Driver });
    await this.sync(true);
  }

  /**
   * At daemon start (after containers were reconciled): the predefined
   * networks, then whatever a killed daemon left: namespaces, veths and
   * bridges nothing uses, stale firewall rules; ports of running containers
   * are reserved again and the resolver's records rewritten.
   */
  async recover(execRoot: string): Promise<void> {
    this.svc.ensurePredefined();
    const all = this.records?.all() ?? [];
    const live = all.filter((c) => c.State.Running && sandboxOf(c));
    for (const c of all) if (!c.State.Running && sandboxOf(c)) this.detach(c);
    const keepNs = new Set(live.map((c) => (sandboxOf(c) as NetSandbox).netns));
    for (const f of listNetns(execRoot)) {
      const p = netnsPath(execRoot, f);
      if (!keepNs.has(p)) removeNetns(p);
    }
    const keepLinks = new Set<string>();
    for (const c of live) for (const v of Object.values((sandboxOf(c) as NetSandbox).veths)) keepLinks.add(v);
    const bridgeNames = new Set(
      this.svc.store
        .all()
        .map((n) => n.bridge)
        .filter(Boolean) as string[],
    );
    for (const l of hostLinks()) {
      if (!isInstanceLink(this.host.instance, l)) continue;
      if (bridgeNames.has(l)) {
        const n = this.svc.store.all().find((x) => x.bridge === l) as NetworkRecord;
        this.bridgeIndex(n);
      } else if (!keepLinks.has(l)) this.host.deleteLink(l);
    }
    for (const c of live) {
      const sb = sandboxOf(c) as NetSandbox;
      const held: Reservation[] = [];
      for (const b of sb.ports) {
        try {
          held.push(await reserve(b));
        } catch (e) {
          this.log.warn('could not reserve a published port again', { id: c.Id, port: b.hostPort, error: e });
        }
      }
      this.host.holdPorts(c.Id, held);
    }
    await this.sync(true);
  }

  close(): void {
    this.host.close();
  }

  get publishing(): boolean {
    return this.hasPorts;
  }
}

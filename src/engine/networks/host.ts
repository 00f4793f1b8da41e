/**
 * The host side of Berth's networking for one daemon: the netlink socket,
 * bridges, a small pool of ready network namespaces, the firewall, port
 * reservations and the embedded resolver's records.
 *
 * Cost (measured here, 2-core VM): a new namespace 1-5 ms (up to 15 ms on a
 * noisy host), a veth pair 0.4-6 ms, address/route/up < 1 ms, all by netlink
 * from the daemon's own thread; no process is spawned for a container
 * without published ports. The pool keeps two namespaces ready so that the
 * namespace's creation leaves the critical path. netavark costs ~370 ms.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../../lib/log.ts';
import {
  createNetns,
  type DnsRecords,
  ensureBridge,
  ensureResolver,
  Firewall,
  type FirewallState,
  Netlink,
  type Reservation,
  removeNetns,
  vethName,
  waitListening,
  writeRecords,
} from '../../network/index.ts';

const POOL_SIZE = 2;

export interface ReadyNetns {
  path: string;
  nl: Netlink;
}

export class HostNetwork {
  readonly instance: string;
  readonly execRoot: string;
  readonly firewall: Firewall;
  private log: Logger;
  private nlHost: Netlink | undefined;
  private pool: ReadyNetns[] = [];
  private filling = false;
  private reservations = new Map<string, Reservation[]>();
  private resolverStarted = false;

  constructor(instance: string, execRoot: string, log: Logger) {
    this.instance = instance;
    this.execRoot = execRoot;
    this.log = log;
    this.firewall = new Firewall(instance);
  }

  get nl(): Netlink {
    if (!this.nlHost) this.nlHost = Netlink.open();
    return this.nlHost;
  }

  bridge(name: string, gateway: number, prefix: number): number {
    return ensureBridge(this.nl, name, gateway, prefix);
  }

  newVethName(): string {
    return vethName(this.instance, randomBytes(8).toString('hex'));
  }

  /** A ready namespace (from the pool when there is one); refills the pool in the background. */
  takeNetns(): ReadyNetns {
    const ready = this.pool.shift() ?? this.makeNetns();
    this.refill();
    return ready;
  }

  private makeNetns(): ReadyNetns {
    const path = join(this.execRoot, 'netns', `n${randomBytes(6).toString('hex')}`);
    return { path, nl: createNetns(path) };
  }

  private refill(): void {
    if (this.filling) return;
    this.filling = true;
    setTimeout(() => {
      this.filling = false;
      try {
        while (this.pool.length < POOL_SIZE) this.pool.push(this.makeNetns());
      } catch (e) {
        this.log.warn('could not prepare a network namespace', { error: e });
      }
    }, 50).unref();
  }

  /** Pool namespaces (kept across nothing: removed at shutdown and at start). */
  poolPaths(): string[] {
    return this.pool.map((p) => p.path);
  }

  releaseNetns(path: string): void {
    removeNetns(path);
  }

  deleteLink(name: string): void {
    try {
      this.nl.deleteLink(name);
    } catch (e) {
      this.log.warn('could not delete a link', { name, error: e });
    }
  }

  holdPorts(containerId: string, r: Reservation[]): void {
    this.releasePorts(containerId);
    if (r.length) this.reservations.set(containerId, r);
  }

  releasePorts(containerId: string): void {
    for (const r of this.reservations.get(containerId) ?? []) r.close();
    this.reservations.delete(containerId);
  }

  applyFirewall(s: FirewallState): Promise<void> {
    return this.firewall.apply(s);
  }

  async writeDns(r: DnsRecords, needResolver: boolean): Promise<void> {
    await writeRecords(this.execRoot, r);
    if (needResolver && !this.resolverStarted) {
      this.resolverStarted = true;
      ensureResolver(this.execRoot);
    }
  }

  /** Waits until the resolver answers on a gateway (a new network's first use). */
  async resolverReady(gateway: string): Promise<void> {
    if (!(await waitListening(this.execRoot, gateway)))
      this.log.warn('the embedded DNS does not listen on a network yet', { gateway });
  }

  close(): void {
    for (const p of this.pool.splice(0)) {
      p.nl.close();
      removeNetns(p.path);
    }
    for (const id of [...this.reservations.keys()]) this.releasePorts(id);
    this.nlHost?.close();
    this.nlHost = undefined;
  }
}

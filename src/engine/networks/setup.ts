/** Composes the networks domain for the engine. */
import { readFileSync } from 'node:fs';
import type { Logger } from '../../lib/log.ts';
import type { Database } from '../../store/db.ts';
import type { EventBus } from '../events.ts';
import { HostNetwork } from './host.ts';
import { NetworkService } from './network-service.ts';
import { ContainerNetworking } from './sandbox.ts';
import { NetworkStore } from './store.ts';

export interface NetworkingOptions {
  db: Database;
  events: EventBus;
  instance: string;
  execRoot: string;
  /** Default bridge subnet (daemon config `bip`/`default-bridge-subnet`). */
  bridgeSubnet?: string;
  /** Upstream servers of the embedded DNS (daemon config `dns`). */
  dns?: string[];
  log: Logger;
}

/**
 * Upstreams of the embedded resolver: the daemon's `dns` setting, else
 * BERTH_DNS_UPSTREAMS (comma-separated; `none` for nowhere, as tests use),
 * else the host's non-loopback nameservers.
 */
export function upstreamsFor(dns: string[] | undefined): string[] {
  if (dns?.length) return dns;
  const env = process.env.BERTH_DNS_UPSTREAMS;
  if (env !== undefined) return env === 'none' ? [] : env.split(',').filter(Boolean);
  try {
    return readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([k, v]) => k === 'nameserver' && v && /^\d+\.\d+\.\d+\.\d+$/.test(v) && !v.startsWith('127.'))
      .map(([, v]) => v);
  } catch {
    return [];
  }
}

export function openNetworking(o: NetworkingOptions): { service: NetworkService; networking: ContainerNetworking } {
  const host = new HostNetwork(o.instance, o.execRoot, o.log);
  const service = new NetworkService(new NetworkStore(o.db), host, o.events, o.bridgeSubnet || '172.17.0.0/16');
  const networking = new ContainerNetworking(service, o.events, upstreamsFor(o.dns), o.log);
  return { service, networking };
}

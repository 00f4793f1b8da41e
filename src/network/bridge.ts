/**
 * Linux bridges of Berth's networks, named after the daemon's instance so
 * that daemons side by side never share one:
 *
 *   INSTANCE0         the default `bridge` network
 *   INSTANCEnXXXX…    a user-defined network (from its ID, 15 characters at most)
 *   INSTANCEvXXXX…    the host end of a container's veth pair
 */
import { readdirSync, writeFileSync } from 'node:fs';
import type { Netlink } from './netlink.ts';

const IFNAMSIZ = 15;

export function defaultBridgeName(instance: string): string {
  return `${instance}0`;
}

export function bridgeNameFor(instance: string, networkId: string): string {
  return `${instance}n${networkId.slice(0, IFNAMSIZ - instance.length - 1)}`;
}

export function vethName(instance: string, random: string): string {
  return `${instance}v${random.slice(0, IFNAMSIZ - instance.length - 1)}`;
}

/** Is this link one of this instance's (bridge or veth)? */
export function isInstanceLink(instance: string, name: string): boolean {
  return name.startsWith(instance) && /^(0|[nv][0-9a-f]+)$/.test(name.slice(instance.length));
}

export function hostLinks(): string[] {
  try {
    return readdirSync('/sys/class/net');
  } catch {
    return [];
  }
}

function sysctl(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {}
}

/** Creates the bridge if missing, gives it the gateway address, sets it up; returns its index. */
export function ensureBridge(nl: Netlink, name: string, gateway: number, prefix: number): number {
  let index = nl.linkIndex(name);
  if (!index) {
    try {
      nl.addBridge(name);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
    index = nl.linkIndex(name);
  }
  nl.addAddress(index, gateway, prefix);
  nl.setUp(index);
  // Published ports on 127.0.0.1 are DNATed out of this bridge: the kernel must route loopback sources.
  sysctl(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
  sysctl('/proc/sys/net/ipv4/ip_forward', '1');
  return index;
}

/**
 * Bridge networking on the host: namespaces, bridges, veth endpoints over
 * netlink (native/berth_net.c), IPAM, the iptables-nft firewall, published
 * port reservations and the embedded DNS resolver process.
 */
export { bridgeNameFor, defaultBridgeName, ensureBridge, hostLinks, isInstanceLink, vethName } from './bridge.ts';
export { claimHostSubnet } from './claim.ts';
export { ensureResolver, resolverPid, waitListening } from './dns/launcher.ts';
export { type DnsRecords, networkStateDir, recordsPath, writeRecords } from './dns/records.ts';
export { connectEndpoint, type EndpointSpec } from './endpoint.ts';
export {
  chainNames,
  Firewall,
  type FirewallNetwork,
  type FirewallPort,
  type FirewallState,
  iptablesSave,
  removeInstanceRules,
} from './firewall.ts';
export { AddressPool, hostRoutes, type PoolConfig, pickSubnet, poolConfig } from './ipam.ts';
export { formatIp, formatSubnet, isIpv4, macFor, parseIp, parseSubnet, type Subnet } from './ipv4.ts';
export { Netlink } from './netlink.ts';
export { createNetns, listNetns, netnsPath, removeNetns } from './netns.ts';
export { type PortBinding, type PortMap, portMap, type Reservation, requestedBindings, reserve } from './ports.ts';

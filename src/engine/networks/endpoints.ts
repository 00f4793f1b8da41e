/** Endpoint settings (Docker's EndpointSettings) of a container on a network, as asked at create or connect. */
import { InvalidArgumentError } from '../../lib/errors.ts';
import type { NetworkRecord } from './record.ts';

export interface EndpointConfig {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

export function endpointSettings(n: NetworkRecord, cfg: EndpointConfig | undefined): Record<string, unknown> {
  const ip = cfg?.IPAMConfig?.IPv4Address || '';
  const aliases = (cfg?.Aliases ?? []).filter(Boolean);
  if (n.Name === 'bridge' && ip)
    throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
  if (n.Name === 'bridge' && aliases.length)
    throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
  return {
    IPAMConfig: ip ? { IPv4Address: ip } : null,
    Links: cfg?.Links ?? null,
    Aliases: aliases.length ? aliases : null,
    MacAddress: '',
    DriverOpts: cfg?.DriverOpts ?? null,
    NetworkID: n.Id,
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** Clears what a running endpoint had (the container stopped or left). */
export function clearRuntime(ep: Record<string, unknown>): void {
  Object.assign(ep, { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', DNSNames: null });
}

/** Networks in the Engine API's shape (`docker network inspect` / `ls`). */
import type { ContainerRecord } from '../containers/record.ts';
import type { NetworkRecord } from './record.ts';

export function networkView(n: NetworkRecord, containers?: ContainerRecord[]): Record<string, unknown> {
  const { bridge, ...docker } = n;
  void bridge;
  const out: Record<string, unknown> = { ...docker, Containers: {} };
  if (!containers) return out;
  const attached: Record<string, unknown> = {};
  for (const c of containers) {
    const ep = c.networks?.[n.Name] as Record<string, unknown> | undefined;
    if (!ep || !c.State.Running || !ep.IPAddress) continue;
    attached[c.Id] = {
      Name: c.Name.slice(1),
      EndpointID: ep.EndpointID,
      MacAddress: ep.MacAddress,
      IPv4Address: `${ep.IPAddress}/${ep.IPPrefixLen}`,
      IPv6Address: '',
    };
  }
  out.Containers = attached;
  return out;
}

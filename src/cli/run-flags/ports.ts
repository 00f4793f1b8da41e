/** `-p`/`--expose`: port ranges, published ports and their bindings. */
import type { HostConfig } from '../../wire/containers.ts';
import { int } from './units.ts';

export type PortBindings = NonNullable<HostConfig['PortBindings']>;

export function portRange(s: string): [number, number] {
  const [a, b] = s.split('-');
  const lo = int(a as string, 'port');
  const hi = b === undefined ? lo : int(b, 'port');
  if (lo < 0 || hi > 65535 || hi < lo) throw new Error(`invalid port range: '${s}'`);
  return [lo, hi];
}

/** `-p [ip:][hostPort:]containerPort[/proto]` with ranges, into exposed ports and bindings. */
export function parsePublish(specs: string[], exposed: Record<string, object>, bindings: PortBindings): void {
  for (const spec of specs) {
    const [addrPorts, proto = 'tcp'] = spec.split('/') as [string, string?];
    let ip = '';
    let rest = addrPorts;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) {
      ip = v6[1] as string;
      rest = v6[2] as string;
    }
    const parts = rest.split(':');
    let hostPart = '';
    let ctPart: string;
    if (parts.length === 1) ctPart = parts[0] as string;
    else if (parts.length === 2) [hostPart, ctPart] = parts as [string, string];
    else if (parts.length === 3 && !v6) [ip, hostPart, ctPart] = parts as [string, string, string];
    else throw new Error(`invalid port format: '${spec}'`);
    const [clo, chi] = portRange(ctPart);
    const [hlo, hhi] = hostPart ? portRange(hostPart) : [0, 0];
    const n = chi - clo;
    if (hostPart && hhi - hlo !== n && hhi !== hlo)
      throw new Error(`invalid ranges specified for container and host ports: '${spec}'`);
    for (let i = 0; i <= n; i++) {
      const key = `${clo + i}/${proto}`;
      exposed[key] = {};
      const hostPort = !hostPart ? '' : hhi === hlo && n > 0 ? `${hlo}` : `${hlo + i}`;
      const list = bindings[key] ?? [];
      list.push({ HostIp: ip, HostPort: hostPort });
      bindings[key] = list;
    }
  }
}

/**
 * The embedded resolver's records file, rewritten atomically by the daemon
 * and read by the resolver process (which keeps answering while no daemon
 * runs):
 *
 *   EXEC_ROOT/network/dns.json      DnsRecords (below)
 *   EXEC_ROOT/network/resolver.pid  the resolver process
 *
 * When EXEC_ROOT/network disappears, the resolver removes the instance's
 * bridges, veths and firewall chains and exits (see resolver-main.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic.ts';

export interface DnsRecords {
  instance: string;
  /** Where names not on a network go; empty: nowhere (SERVFAIL). */
  upstreams: string[];
  /** Per network: the gateway address the resolver listens on and the names visible there. */
  networks: Record<string, { gateway: string; names: Record<string, string[]> }>;
  /** Container address → the networks (IDs) its container is on: it sees names of all of them. */
  members: Record<string, string[]>;
}

export function networkStateDir(execRoot: string): string {
  return join(execRoot, 'network');
}

export function recordsPath(execRoot: string): string {
  return join(networkStateDir(execRoot), 'dns.json');
}

export async function writeRecords(execRoot: string, r: DnsRecords): Promise<void> {
  mkdirSync(networkStateDir(execRoot), { recursive: true, mode: 0o711 });
  await writeFileAtomic(recordsPath(execRoot), JSON.stringify(r));
}

/** The addresses a query from `src` to the listener on `gateway` may resolve `name` to. */
export function lookup(r: DnsRecords, gateway: string, src: string, name: string): string[] | undefined {
  const nets = r.members[src] ?? Object.keys(r.networks).filter((id) => r.networks[id].gateway === gateway);
  const out = new Set<string>();
  let found = false;
  for (const id of nets) {
    const ips = r.networks[id]?.names[name];
    if (ips) {
      found = true;
      for (const ip of ips) out.add(ip);
    }
  }
  return found ? [...out] : undefined;
}

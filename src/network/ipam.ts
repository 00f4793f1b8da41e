/**
 * IPv4 address management: free subnets for new networks (away from the
 * host's routes, e.g. docker0, and from other networks), and addresses
 * within a network (gateway first, then containers, within --ip-range).
 */
import { readFileSync } from 'node:fs';
import { ConflictError, InvalidArgumentError } from '../lib/errors.ts';
import { contains, formatIp, mask, overlaps, parseIp, parseSubnet, type Subnet, size } from './ipv4.ts';

/** IPv4 routes of the host (not the default route), by interface, from /proc/net/route. */
export function hostRoutes(): Array<{ iface: string; subnet: Subnet }> {
  let text = '';
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const out: Array<{ iface: string; subnet: Subnet }> = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const le = (h: string) => Buffer.from(h, 'hex').readUInt32LE(0);
    const dest = le(f[1]);
    const m = le(f[7]);
    if (m === 0) continue;
    const prefix = m.toString(2).replace(/0/g, '').length;
    out.push({ iface: f[0], subnet: { base: (dest & mask(prefix)) >>> 0, prefix } });
  }
  return out;
}

/** Default pools, as Docker's: 172.17-31.0.0/16, then 192.168.N.0/20. */
function* candidates(): Generator<Subnet> {
  for (let b = 17; b <= 31; b++) yield parseSubnet(`172.${b}.0.0/16`);
  for (let c = 0; c < 256; c += 16) yield parseSubnet(`192.168.${c}.0/20`);
}

/** The preferred subnet if nothing overlaps it, else the first free default pool. */
export function pickSubnet(taken: Subnet[], preferred?: Subnet): Subnet {
  const free = (s: Subnet) => !taken.some((t) => overlaps(t, s));
  if (preferred && free(preferred)) return preferred;
  for (const c of candidates()) if (free(c)) return c;
  throw new ConflictError(
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
}

export interface PoolConfig {
  subnet: Subnet;
  gateway: number;
  /** Containers get addresses from here (default: the subnet). */
  range?: Subnet;
}

export function poolConfig(subnet: string, gateway?: string, ipRange?: string): PoolConfig {
  const s = parseSubnet(subnet);
  if (s.prefix > 30) throw new InvalidArgumentError(`subnet ${subnet} is too small`);
  const gw = gateway ? parseIp(gateway) : (s.base + 1) >>> 0;
  if (!contains(s, gw)) throw new InvalidArgumentError(`gateway ${gateway} is not in subnet ${subnet}`);
  const range = ipRange ? parseSubnet(ipRange) : undefined;
  if (range && !(contains(s, range.base) && range.prefix >= s.prefix))
    throw new InvalidArgumentError(`ip-range ${ipRange} is not within subnet ${subnet}`);
  return { subnet: s, gateway: gw, range };
}

/** Addresses in use on one network (in memory; rebuilt from container records at start). */
export class AddressPool {
  readonly cfg: PoolConfig;
  private used = new Set<number>();
  private next: number;

  constructor(cfg: PoolConfig) {
    this.cfg = cfg;
    this.next = (cfg.range ?? cfg.subnet).base;
  }

  isUsed(ip: number): boolean {
    return this.used.has(ip);
  }

  mark(ip: number): void {
    this.used.add(ip);
  }

  release(ip: number): void {
    this.used.delete(ip);
  }

  /** A given address (checked), or the next free one, round-robin as Docker does. */
  allocate(wanted?: string): number {
    const { subnet, gateway } = this.cfg;
    const bcast = (subnet.base + size(subnet) - 1) >>> 0;
    if (wanted) {
      const ip = parseIp(wanted);
      if (!contains(subnet, ip) || ip === subnet.base || ip === bcast)
        throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${wanted}`);
      if (ip === gateway || this.used.has(ip)) throw new ConflictError(`Address already in use: ${wanted}`);
      this.used.add(ip);
      return ip;
    }
    const r = this.cfg.range ?? subnet;
    const n = size(r);
    for (let i = 0; i < n; i++) {
      const ip = (r.base + ((this.next - r.base + i) % n)) >>> 0;
      if (ip === subnet.base || ip === bcast || ip === gateway || this.used.has(ip)) continue;
      this.used.add(ip);
      this.next = (ip + 1) >>> 0;
      return ip;
    }
    throw new ConflictError(
      `no available IPv4 addresses on this network's address pools: ${formatIp(subnet.base)}/${subnet.prefix}`,
    );
  }
}

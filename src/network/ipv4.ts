/** IPv4 addresses and subnets as numbers: parse, format, contain, overlap. */
import { InvalidArgumentError } from '../lib/errors.ts';

export interface Subnet {
  /** Network address (host bits zero), as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIp(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid IPv4 address: ${s}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new InvalidArgumentError(`invalid IPv4 address: ${s}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function isIpv4(s: string): boolean {
  try {
    parseIp(s);
    return true;
  } catch {
    return false;
  }
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function parseSubnet(s: string): Subnet {
  const [ip, p] = s.split('/');
  const prefix = Number(p);
  if (p === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw new InvalidArgumentError(`invalid subnet ${s}: use CIDR notation, e.g. 172.20.0.0/16`);
  return { base: (parseIp(ip) & mask(prefix)) >>> 0, prefix };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp(s.base)}/${s.prefix}`;
}

export function size(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function contains(s: Subnet, ip: number): boolean {
  return (ip & mask(s.prefix)) >>> 0 === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** Docker's MAC for an address: 02:42 and the four address bytes. */
export function macFor(ip: number): string {
  const b = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * Published ports: `-p [ip:][host:]container[/proto]` as the Engine API
 * carries it (HostConfig.PortBindings, PublishAllPorts), and host-port
 * reservations. Traffic goes by DNAT in the kernel (firewall.ts), not
 * through a proxy; the daemon holds a listening socket (TCP) or bound
 * socket (UDP) on each host port only to keep it reserved, to find a free
 * port for `-p 127.0.0.1::80`, and to refuse a port that is taken.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { ConflictError, InvalidArgumentError } from '../lib/errors.ts';

export interface PortBinding {
  proto: 'tcp' | 'udp';
  port: number;
  hostIp: string;
  /** 0: any free port. */
  hostPort: number;
  /** Upper end of a host-port range (inclusive), when one was given. */
  hostPortEnd?: number;
}

export type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

function parseKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const [p, proto = 'tcp'] = key.split('/');
  const port = Number(p);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`invalid port: ${key}`);
  if (proto !== 'tcp' && proto !== 'udp') throw new InvalidArgumentError(`unsupported protocol ${proto} in ${key}`);
  return { port, proto };
}

/** The bindings asked for: explicit ones, then (with -P) every exposed port not already published. */
export function requestedBindings(
  bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined,
  publishAll: boolean,
  exposed: Record<string, object> | null | undefined,
): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parseKey(key);
    for (const b of list?.length ? list : [{}]) {
      const [lo, hi] = (b.HostPort || '0').split('-').map(Number);
      if (!Number.isInteger(lo) || lo < 0 || lo > 65535)
        throw new InvalidArgumentError(`invalid host port: ${b.HostPort}`);
      out.push({ proto, port, hostIp: b.HostIp || '0.0.0.0', hostPort: lo, hostPortEnd: hi || undefined });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parseKey(key);
      if (!out.some((b) => b.port === port && b.proto === proto))
        out.push({ proto, port, hostIp: '0.0.0.0', hostPort: 0 });
    }
  }
  return out;
}

export interface Reservation {
  binding: PortBinding;
  close(): void;
}

function listenTcp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const s: Server = createServer((c) => c.destroy());
    s.once('error', reject);
    s.listen({ host, port, exclusive: true, backlog: 1 }, () => {
      s.unref();
      const a = s.address();
      resolve({ port: typeof a === 'object' && a ? a.port : port, close: () => s.close() });
    });
  });
}

function bindUdp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const s: UdpSocket = createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: host, port, exclusive: true }, () => {
      s.unref();
      resolve({ port: s.address().port, close: () => s.close() });
    });
  });
}

/** Reserves the host port of a binding (a free one when it is 0); throws ConflictError when taken. */
export async function reserve(b: PortBinding): Promise<Reservation> {
  const open = b.proto === 'tcp' ? listenTcp : bindUdp;
  const first = b.hostPort;
  const last = b.hostPortEnd ?? b.hostPort;
  let lastErr: unknown;
  for (let p = first; p <= last; p++) {
    try {
      const r = await open(b.hostIp, p);
      return { binding: { ...b, hostPort: r.port, hostPortEnd: undefined }, close: r.close };
    } catch (e) {
      lastErr = e;
    }
  }
  const code = (lastErr as { code?: string })?.code;
  if (code === 'EADDRNOTAVAIL')
    throw new InvalidArgumentError(
      `Error starting userland proxy: listen ${b.proto} ${b.hostIp}:${first}: bind: cannot assign requested address`,
    );
  throw new ConflictError(`Bind for ${b.hostIp}:${first} failed: port is already allocated`);
}

/** NetworkSettings.Ports: every exposed port, with its host bindings (or null). */
export function portMap(bound: PortBinding[], exposed: Record<string, object> | null | undefined): PortMap {
  const out: PortMap = {};
  for (const key of Object.keys(exposed ?? {})) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const b of bound) {
    const key = `${b.port}/${b.proto}`;
    out[key] = [...(out[key] ?? []), { HostIp: b.hostIp, HostPort: String(b.hostPort) }];
  }
  return out;
}

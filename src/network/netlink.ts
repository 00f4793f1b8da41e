/**
 * rtnetlink requests built in TypeScript and sent through the native helper
 * (one syscall pair each, no process): links (bridge, veth), addresses,
 * routes. One Netlink object is one socket, bound to one network namespace.
 */
import { closeSync } from 'node:fs';
import { nativeNet } from './native.ts';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_NEWROUTE = 24;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_BROADCAST = 4;
const RTA_GATEWAY = 5;
const IFF_UP = 1;
const AF_INET = 2;

let seq = Math.floor(Math.random() * 1e6);

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}
const nested = (type: number, ...attrs: Buffer[]) => attr(type | 0x8000, Buffer.concat(attrs));
const str = (type: number, s: string) => attr(type, Buffer.from(`${s}\0`));
const u32 = (type: number, n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return attr(type, b);
};
const ipv4 = (type: number, ip: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ip >>> 0);
  return attr(type, b);
};
const mac = (type: number, m: string) => attr(type, Buffer.from(m.split(':').map((x) => Number.parseInt(x, 16))));

function ifinfo(index = 0, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

function message(type: number, flags: number, body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags | NLM_F_REQUEST | NLM_F_ACK, 6);
  seq = (seq + 1) >>> 0;
  h.writeUInt32LE(seq, 8);
  return Buffer.concat([h, payload]);
}

export function isErrno(e: unknown, code: string): boolean {
  return (e as { code?: string })?.code === code;
}

export class Netlink {
  readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** A socket in the host's namespace, or in the namespace bind-mounted at nsPath. */
  static open(nsPath: string | null = null): Netlink {
    return new Netlink(nativeNet().nlOpen(nsPath));
  }

  private talk(type: number, flags: number, body: Buffer[]): Buffer[] {
    return nativeNet().nlTalk(this.fd, message(type, flags, body));
  }

  /** The index of a link, or 0 when there is none by that name. */
  linkIndex(name: string): number {
    try {
      const [reply] = this.talk(RTM_GETLINK, 0, [ifinfo(), str(IFLA_IFNAME, name)]);
      return reply ? reply.readInt32LE(16 + 4) : 0;
    } catch (e) {
      if (isErrno(e, 'ENOENT') || (e as { errno?: number }).errno === -19) return 0;
      throw e;
    }
  }

  addBridge(name: string, address?: string): void {
    this.talk(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, [
      ifinfo(),
      str(IFLA_IFNAME, name),
      ...(address ? [mac(IFLA_ADDRESS, address)] : []),
      nested(IFLA_LINKINFO, str(IFLA_INFO_KIND, 'bridge')),
    ]);
  }

  /** A veth pair: `name` here, `peer` in the namespace open as peerNsFd. */
  addVeth(name: string, peer: string, peerNsFd: number, peerMac?: string): void {
    const peerBody = Buffer.concat([
      ifinfo(),
      str(IFLA_IFNAME, peer),
      ...(peerMac ? [mac(IFLA_ADDRESS, peerMac)] : []),
      u32(IFLA_NET_NS_FD, peerNsFd),
    ]);
    this.talk(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, [
      ifinfo(),
      str(IFLA_IFNAME, name),
      nested(IFLA_LINKINFO, str(IFLA_INFO_KIND, 'veth'), nested(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peerBody))),
    ]);
  }

  /** Sets a link up, optionally enslaving it to a bridge (by index). */
  setUp(index: number, master?: number): void {
    this.talk(RTM_NEWLINK, 0, [ifinfo(index, IFF_UP, IFF_UP), ...(master ? [u32(IFLA_MASTER, master)] : [])]);
  }

  deleteLink(name: string): boolean {
    try {
      this.talk(RTM_DELLINK, 0, [ifinfo(), str(IFLA_IFNAME, name)]);
      return true;
    } catch (e) {
      if ((e as { errno?: number }).errno === -19 || isErrno(e, 'ENOENT')) return false;
      throw e;
    }
  }

  /** Adds ip/prefix to a link; an address already there is fine. */
  addAddress(index: number, ip: number, prefix: number): void {
    const h = Buffer.alloc(8);
    h.writeUInt8(AF_INET, 0);
    h.writeUInt8(prefix, 1);
    h.writeUInt32LE(index, 4);
    const bcast = (ip | (prefix === 32 ? 0 : 0xffffffff >>> prefix)) >>> 0;
    try {
      this.talk(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, [
        h,
        ipv4(IFA_LOCAL, ip),
        ipv4(IFA_ADDRESS, ip),
        ...(prefix < 31 ? [ipv4(IFA_BROADCAST, bcast)] : []),
      ]);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }

  addDefaultRoute(gateway: number): void {
    const r = Buffer.alloc(12);
    r.writeUInt8(AF_INET, 0);
    r.writeUInt8(254, 4); // main table
    r.writeUInt8(3, 5); // RTPROT_BOOT
    r.writeUInt8(0, 6); // universe
    r.writeUInt8(1, 7); // unicast
    this.talk(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, [r, ipv4(RTA_GATEWAY, gateway)]);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {}
  }
}

/**
 * The network helper addon (native/berth_net.c → build/berth_net.node):
 * network namespaces and raw rtnetlink sockets. Loaded on first use.
 */
import { loadAddon } from '../lib/addon.ts';

export interface NativeNet {
  /** Creates a network namespace bind-mounted on PATH (an existing empty file); returns a netlink fd inside it. */
  netnsCreate(path: string): number;
  /** A netlink socket in the namespace at PATH, or in the host's (null). */
  nlOpen(path: string | null): number;
  /** Sends one request, waits for its ACK; returns the reply messages. Throws with `errno`. */
  nlTalk(fd: number, req: Buffer): Buffer[];
}

export function nativeNet(): NativeNet {
  return loadAddon<NativeNet>('berth_net', 'the network helper');
}

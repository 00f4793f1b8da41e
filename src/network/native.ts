/**
 * The network helper addon (native/berth_net.c → build/berth_net.node):
 * network namespaces and raw rtnetlink sockets. Loaded on first use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../sys/native.ts';

export interface NativeNet {
  /** Creates a network namespace bind-mounted on PATH (an existing empty file); returns a netlink fd inside it. */
  netnsCreate(path: string): number;
  /** A netlink socket in the namespace at PATH, or in the host's (null). */
  nlOpen(path: string | null): number;
  /** Sends one request, waits for its ACK; returns the reply messages. Throws with `errno`. */
  nlTalk(fd: number, req: Buffer): Buffer[];
}

let loaded: NativeNet | undefined;

export function nativeNet(): NativeNet {
  if (!loaded) {
    const path = join(projectRoot(), 'build', 'berth_net.node');
    if (!existsSync(path)) throw new Error(`berth: the network helper ${path} is missing; run 'npm run build'`);
    loaded = createRequire(import.meta.url)(path) as NativeNet;
  }
  return loaded;
}

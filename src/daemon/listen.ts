/** Opens the daemon's listeners: unix sockets (mode 0660) and optional tcp. */
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ConflictError } from '../lib/errors.ts';

/** True when something accepts connections on the socket path. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function listen(server: Server, host: string): Promise<() => void> {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    mkdirSync(dirname(path), { recursive: true, mode: 0o711 });
    if (existsSync(path)) {
      if (await socketInUse(path)) throw new ConflictError(`another daemon is listening on ${path}`);
      unlinkSync(path);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o660);
    return () => {
      try {
        unlinkSync(path);
      } catch {}
    };
  }
  const u = new URL(host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(u.port || 2375), u.hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return () => {};
}

/** Starts the resolver process of a daemon unless it already runs (it outlives the daemon). */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../sys/native.ts';
import { networkStateDir } from './records.ts';

export function resolverPid(execRoot: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(networkStateDir(execRoot), 'resolver.pid'), 'utf8'));
    if (!pid) return undefined;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /resolver(-main\.js|\.mjs)/.test(cmd) && cmd.includes(execRoot) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (up to timeoutMs) until the resolver serves the gateway; false when it does not. */
export async function waitListening(execRoot: string, gateway: string, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (
        readFileSync(join(networkStateDir(execRoot), 'listening'), 'utf8')
          .split('\n')
          .includes(gateway)
      )
        return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

export function ensureResolver(execRoot: string): void {
  if (resolverPid(execRoot)) return;
  const dir = networkStateDir(execRoot);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  // Beside this module when run from dist/src; from the tsc output when the daemon runs bundled.
  // Beside the bundled daemon (dist/bundle/resolver.mjs), beside this module (tsc output), or from the project.
  const candidates = [
    fileURLToPath(new URL('./resolver.mjs', import.meta.url)),
    fileURLToPath(new URL('./resolver-main.js', import.meta.url)),
    join(projectRoot(), 'dist/src/network/dns/resolver-main.js'),
  ];
  const main = candidates.find((c) => existsSync(c)) ?? (candidates[2] as string);
  const log = openSync(join(dir, 'resolver.log'), 'a');
  const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, execRoot], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  p.unref();
}

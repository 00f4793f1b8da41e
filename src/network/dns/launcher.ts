/** Starts the resolver process of a daemon unless it already runs (it outlives the daemon). */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { networkStateDir } from './records.ts';

export function resolverPid(execRoot: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(networkStateDir(execRoot), 'resolver.pid'), 'utf8'));
    if (!pid) return undefined;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('resolver-main') && cmd.includes(execRoot) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function ensureResolver(execRoot: string): void {
  if (resolverPid(execRoot)) return;
  const dir = networkStateDir(execRoot);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const main = fileURLToPath(new URL('./resolver-main.js', import.meta.url));
  const log = openSync(join(dir, 'resolver.log'), 'a');
  const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, execRoot], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  p.unref();
}

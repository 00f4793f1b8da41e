/**
 * Berth's native addons (native/*.c, built to build/<name>.node by the setup
 * and `npm run build`), found from this module's place in the checkout and
 * loaded once each, on first use, so that commands that never need one start
 * without it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is), from this module's location. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('berth: cannot find the project root (package.json)');
    dir = up;
  }
  return dir;
}

const loaded = new Map<string, unknown>();

/** build/NAME.node; throws saying how to build it when it is missing. */
export function loadAddon<T>(name: string, what: string): T {
  let m = loaded.get(name);
  if (!m) {
    const path = join(projectRoot(), 'build', `${name}.node`);
    if (!existsSync(path)) {
      throw new Error(`berth: ${what} ${path} is missing; run the setup (scripts/setup.sh) or 'npm run build'`);
    }
    // process.dlopen, not require(): a process that has loaded no CommonJS yet would set up its loader for it (~3 ms).
    const mod = { exports: {} };
    process.dlopen(mod, path);
    m = mod.exports;
    loaded.set(name, m);
  }
  return m as T;
}

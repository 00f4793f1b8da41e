/**
 * The busybox image for a benchmark, made once by berth (from the host's
 * busybox-static, no registry) and loaded into the peers with their own
 * `load`, so that every engine runs the same image.
 */
import { join } from 'node:path';
import { ROOT, type RunResult, runAsync } from '../../test/helpers/daemon.ts';
import type { Berthd } from '../lib/peers.ts';

export async function seedBusybox(b: Berthd, peers: Array<(a: string[]) => Promise<RunResult>>): Promise<void> {
  const tar = join(b.dir, 'busybox.tar');
  for (const a of [
    ['image', 'bootstrap', 'busybox'],
    ['image', 'save', '-o', tar, 'busybox'],
  ]) {
    const r = await runAsync(join(ROOT, 'bin/berth'), a, b.env, { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`berth ${a.join(' ')}: ${r.stderr}`);
  }
  for (const load of peers) {
    const r = await load(['load', '-i', tar]);
    if (r.code !== 0) throw new Error(`load busybox: ${r.stderr}`);
  }
}

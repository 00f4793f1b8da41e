/**
 * Garbage collection, mark and sweep, safe while the registry serves:
 *   mark   — every manifest revision of every repository, and every blob or
 *            child manifest it names, is live;
 *   sweep  — every other blob is deleted, except blobs written less than
 *            `graceMs` before the mark began or at any time since (a push
 *            in flight: its manifest has not arrived yet) and blobs a request
 *            touched while GC ran (see gc-guard.ts); upload sessions older
 *            than `uploadMaxAgeMs` are removed too.
 * Run it in the serving process (Registry.gc) or offline (`berth registry gc`).
 */
import type { Digest } from '../lib/digest.ts';
import type { Logger } from '../lib/log.ts';
import { silentLogger } from '../lib/log.ts';
import { BLOBS, blobDataKey } from './layout.ts';
import { referencedDigests } from './manifest.ts';
import type { Registry } from './registry.ts';
import { listRepositories } from './repositories.ts';

export interface GcOptions {
  dryRun?: boolean;
  /** Blobs younger than this at the start are kept (default 10 min). */
  graceMs?: number;
  /** Upload sessions older than this are removed (default 24 h). */
  uploadMaxAgeMs?: number;
  /** Test hook: runs between mark and sweep. */
  afterMark?: () => Promise<void>;
  log?: Logger;
}

export interface GcResult {
  marked: number;
  deleted: Digest[];
  uploadsRemoved: number;
  durationMs: number;
}

export async function collectGarbage(reg: Registry, opts: GcOptions = {}): Promise<GcResult> {
  const log = opts.log ?? silentLogger;
  const t0 = Date.now();
  const { driver, guard } = reg;
  if (guard.active) throw new Error('garbage collection is already running');
  const grace = opts.graceMs ?? 10 * 60 * 1000;
  guard.begin();
  try {
    const live = new Set<string>();
    const repos = await listRepositories(driver);
    for (const name of repos) {
      for (const d of await reg.manifests.revisions(name)) {
        live.add(d);
        try {
          for (const r of referencedDigests(await reg.blobs.read(d))) live.add(r);
        } catch {}
      }
    }
    log.info('gc mark done', { repositories: repos.length, live: live.size });
    if (opts.afterMark) await opts.afterMark();
    const deleted: Digest[] = [];
    for (const alg of await driver.list(BLOBS)) {
      for (const prefix of await driver.list(`${BLOBS}/${alg}`)) {
        for (const hex of await driver.list(`${BLOBS}/${alg}/${prefix}`)) {
          const d = `${alg}:${hex}` as Digest;
          if (live.has(d)) continue;
          const st = await driver.stat(blobDataKey(d));
          if (st && st.modTime >= t0 - grace) continue;
          if (opts.dryRun) {
            deleted.push(d);
            continue;
          }
          const key = blobDataKey(d).slice(0, -'/data'.length);
          if (await guard.deleteUnlessTouched(d, () => driver.delete(key))) deleted.push(d);
        }
      }
    }
    let uploadsRemoved = 0;
    const maxAge = opts.uploadMaxAgeMs ?? 24 * 3600 * 1000;
    for (const name of repos) {
      for (const u of await reg.uploads.list(name)) {
        if (u.startedAt < t0 - maxAge) {
          if (!opts.dryRun) await reg.uploads.remove(name, u.uuid);
          uploadsRemoved++;
        }
      }
    }
    const res = { marked: live.size, deleted, uploadsRemoved, durationMs: Date.now() - t0 };
    log.info('gc done', { marked: res.marked, deleted: deleted.length, uploadsRemoved, durationMs: res.durationMs });
    return res;
  } finally {
    guard.end();
  }
}

/**
 * The build cache: step key → the state the step produced, in the
 * `build_cache` table of the metadata database (so it survives restarts).
 *
 *   build_cache.key        sha256 of (parent state ID, instruction after
 *                          expansion, inputs: file checksums, build args …)
 *   build_cache.image_id   the MANIFEST digest of the resulting state (the
 *                          manifest names the config, whose digest is the
 *                          state ID, and the layers)
 *   build_cache.last_used  ms; `builder prune --keep-storage` drops the
 *                          least recently used entries first
 *
 * The blobs and snapshots of cached states are kept alive through the
 * engine's GC roots (see Builder.gcRoots).
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../../lib/digest.ts';
import type { Database } from '../../store/db.ts';

export interface CacheRow {
  key: string;
  manifest: Digest;
  createdAt: number;
  lastUsed: number;
}

export function cacheKey(parts: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

export class BuildCache {
  private db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  get(key: string): Digest | undefined {
    const r = this.db.prepare('SELECT image_id FROM build_cache WHERE key = ?').get(key) as
      | { image_id: string }
      | undefined;
    if (!r) return undefined;
    this.db.prepare('UPDATE build_cache SET last_used = ? WHERE key = ?').run(Date.now(), key);
    return r.image_id as Digest;
  }

  put(key: string, manifest: Digest): void {
    const now = Date.now();
    this.db
      .prepare(
        'INSERT INTO build_cache (key, image_id, created_at, last_used) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET image_id = excluded.image_id, last_used = excluded.last_used',
      )
      .run(key, manifest, now, now);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(key);
  }

  all(): CacheRow[] {
    return (
      this.db
        .prepare('SELECT key, image_id, created_at, last_used FROM build_cache ORDER BY last_used')
        .all() as Array<{
        key: string;
        image_id: string;
        created_at: number;
        last_used: number;
      }>
    ).map((r) => ({ key: r.key, manifest: r.image_id as Digest, createdAt: r.created_at, lastUsed: r.last_used }));
  }
}

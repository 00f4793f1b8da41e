/**
 * Garbage collection of the store: blobs and snapshots that nothing refers
 * to. The caller (the engine) says what is live; a snapshot is also live
 * when one of its descendants is.
 */
import type { Digest } from '../lib/digest.ts';
import { isNotFound } from '../lib/errors.ts';
import type { ContentStore, Snapshotter } from './types.ts';

export interface GcInput {
  content: ContentStore;
  snapshotter: Snapshotter;
  liveBlobs: ReadonlySet<Digest>;
  liveSnapshots: ReadonlySet<string>;
}

export interface GcResult {
  blobs: Digest[];
  snapshots: string[];
  /** Bytes of the removed blobs plus the recorded sizes of the removed snapshots. */
  reclaimed: number;
}

export async function collectGarbage(input: GcInput): Promise<GcResult> {
  const { content, snapshotter, liveBlobs, liveSnapshots } = input;
  const result: GcResult = { blobs: [], snapshots: [], reclaimed: 0 };

  const all = snapshotter.list();
  const byKey = new Map(all.map((s) => [s.key, s]));
  const live = new Set<string>();
  for (const key of liveSnapshots) {
    for (let k: string | undefined = key; k && !live.has(k); k = byKey.get(k)?.parent) live.add(k);
  }
  // children before parents: order by depth, deepest first
  const depth = (key: string): number => {
    let d = 0;
    for (let k = byKey.get(key)?.parent; k; k = byKey.get(k)?.parent) d++;
    return d;
  };
  const dead = all.filter((s) => !live.has(s.key)).sort((a, b) => depth(b.key) - depth(a.key));
  for (const s of dead) {
    try {
      await snapshotter.remove(s.key);
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    result.snapshots.push(s.key);
    result.reclaimed += s.size;
  }

  const blobs: Array<{ digest: Digest; size: number }> = [];
  for await (const b of content.list()) if (!liveBlobs.has(b.digest)) blobs.push(b);
  for (const b of blobs) {
    try {
      await content.delete(b.digest);
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    result.blobs.push(b.digest);
    result.reclaimed += b.size;
  }
  return result;
}

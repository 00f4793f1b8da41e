/**
 * Image rows in the metadata database: images, their tags and repo digests.
 * Only this file writes the `images`, `image_tags` and `image_digests` tables.
 */
import type { Digest } from '../../lib/digest.ts';
import type { Descriptor } from '../../oci/image.ts';
import type { Database } from '../../store/db.ts';

export interface ImageRecord {
  id: Digest;
  manifest: Descriptor;
  /** When the image came into this store (ms). */
  addedAt: number;
  /** Unpacked size in bytes (sum of the uncompressed layers). */
  size: number;
  /** What a listing shows from the config; absent for rows written before schema v2 (filled on first use). */
  summary?: ImageSummaryFields;
}

/** The config fields an image listing (and the GC) needs, kept beside the row so that a list reads no blob. */
export interface ImageSummaryFields {
  /** The config's `created`, in seconds (0 when absent). */
  created: number;
  labels: Record<string, string> | null;
  /** Chain ID of the top layer (the image's snapshot), or null for an image without layers. */
  chainId: string | null;
}

interface ImageRow {
  id: string;
  manifest: string;
  created_at: number;
  size: number;
  summary: string | null;
}

function toRecord(r: ImageRow): ImageRecord {
  const rec: ImageRecord = {
    id: r.id as Digest,
    manifest: JSON.parse(r.manifest),
    addedAt: r.created_at,
    size: r.size,
  };
  if (r.summary) rec.summary = JSON.parse(r.summary) as ImageSummaryFields;
  return rec;
}

/** Bumped by every write to the image tables of a database: a cached listing is good while it holds. */
const generations = new WeakMap<Database, number>();

export class ImageRecords {
  private db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Changes with every write to images, tags or digests (in this process). */
  get generation(): number {
    return generations.get(this.db) ?? 0;
  }

  private changed(): void {
    generations.set(this.db, this.generation + 1);
  }

  get(id: string): ImageRecord | undefined {
    const r = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return r && toRecord(r);
  }

  /** Images whose hex ID starts with `prefix` (hex only). */
  byPrefix(prefix: string): ImageRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM images WHERE id >= ? AND id < ? LIMIT 2')
      .all(`sha256:${prefix}`, `sha256:${prefix}g`) as unknown as ImageRow[];
    return rows.map(toRecord);
  }

  all(): ImageRecord[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY created_at').all() as unknown as ImageRow[]).map(toRecord);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  }

  /** Inserts the image if new; returns false when it already existed. */
  insert(rec: ImageRecord): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO images (id, manifest, created_at, size, summary) VALUES (?, ?, ?, ?, ?)')
      .run(
        rec.id,
        JSON.stringify(rec.manifest),
        rec.addedAt,
        rec.size,
        rec.summary ? JSON.stringify(rec.summary) : null,
      );
    if (r.changes > 0) this.changed();
    return r.changes > 0;
  }

  /** Fills the summary of a row written before schema v2. */
  setSummary(id: string, summary: ImageSummaryFields): void {
    this.db.prepare('UPDATE images SET summary = ? WHERE id = ?').run(JSON.stringify(summary), id);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_digests WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    });
    this.changed();
  }

  tagTarget(ref: string): string | undefined {
    return (
      this.db.prepare('SELECT image_id FROM image_tags WHERE ref = ?').get(ref) as { image_id: string } | undefined
    )?.image_id;
  }

  /** Points `ref` at the image; returns the image it pointed at before, if another. */
  setTag(ref: string, imageId: string): string | undefined {
    const before = this.tagTarget(ref);
    this.db
      .prepare('INSERT OR REPLACE INTO image_tags (ref, image_id, created_at) VALUES (?, ?, ?)')
      .run(ref, imageId, Date.now());
    this.changed();
    return before !== imageId ? before : undefined;
  }

  removeTag(ref: string): void {
    this.db.prepare('DELETE FROM image_tags WHERE ref = ?').run(ref);
    this.changed();
  }

  tagsOf(imageId: string): string[] {
    return (
      this.db.prepare('SELECT ref FROM image_tags WHERE image_id = ? ORDER BY ref').all(imageId) as Array<{
        ref: string;
      }>
    ).map((r) => r.ref);
  }

  lastTagTime(imageId: string): number | undefined {
    return (
      (
        this.db.prepare('SELECT max(created_at) AS t FROM image_tags WHERE image_id = ?').get(imageId) as {
          t: number | null;
        }
      ).t ?? undefined
    );
  }

  /** All tags, grouped by image. */
  allTags(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const r of this.db.prepare('SELECT ref, image_id FROM image_tags ORDER BY ref').all() as Array<{
      ref: string;
      image_id: string;
    }>) {
      const list = m.get(r.image_id) ?? [];
      list.push(r.ref);
      m.set(r.image_id, list);
    }
    return m;
  }

  digestTarget(repo: string, digest: string): string | undefined {
    return (
      this.db.prepare('SELECT image_id FROM image_digests WHERE repo = ? AND digest = ?').get(repo, digest) as
        | { image_id: string }
        | undefined
    )?.image_id;
  }

  addDigest(repo: string, digest: string, imageId: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO image_digests (repo, digest, image_id) VALUES (?, ?, ?)')
      .run(repo, digest, imageId);
    this.changed();
  }

  removeDigest(repo: string, digest: string): void {
    this.db.prepare('DELETE FROM image_digests WHERE repo = ? AND digest = ?').run(repo, digest);
    this.changed();
  }

  digestsOf(imageId: string): Array<{ repo: string; digest: string }> {
    return this.db
      .prepare('SELECT repo, digest FROM image_digests WHERE image_id = ? ORDER BY repo')
      .all(imageId) as Array<{ repo: string; digest: string }>;
  }

  allDigests(): Map<string, Array<{ repo: string; digest: string }>> {
    const m = new Map<string, Array<{ repo: string; digest: string }>>();
    for (const r of this.db.prepare('SELECT repo, digest, image_id FROM image_digests').all() as Array<{
      repo: string;
      digest: string;
      image_id: string;
    }>) {
      const list = m.get(r.image_id) ?? [];
      list.push({ repo: r.repo, digest: r.digest });
      m.set(r.image_id, list);
    }
    return m;
  }
}

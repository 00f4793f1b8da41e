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
}

interface ImageRow {
  id: string;
  manifest: string;
  created_at: number;
  size: number;
}

function toRecord(r: ImageRow): ImageRecord {
  return { id: r.id as Digest, manifest: JSON.parse(r.manifest), addedAt: r.created_at, size: r.size };
}

export class ImageRecords {
  private db: Database;
  constructor(db: Database) {
    this.db = db;
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
      .prepare('INSERT OR IGNORE INTO images (id, manifest, created_at, size) VALUES (?, ?, ?, ?)')
      .run(rec.id, JSON.stringify(rec.manifest), rec.addedAt, rec.size);
    return r.changes > 0;
  }

  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_digests WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    });
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
    return before !== imageId ? before : undefined;
  }

  removeTag(ref: string): void {
    this.db.prepare('DELETE FROM image_tags WHERE ref = ?').run(ref);
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
  }

  removeDigest(repo: string, digest: string): void {
    this.db.prepare('DELETE FROM image_digests WHERE repo = ? AND digest = ?').run(repo, digest);
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

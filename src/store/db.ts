/**
 * Berth's metadata database: one SQLite file (node:sqlite) per data root.
 *
 * Layout (schema version in `PRAGMA user_version`; every change appends a
 * migration below and never edits an old one):
 *
 *   images        id (config digest) → manifest descriptor, created, size,
 *                 summary (v2: JSON of what a listing needs from the config)
 *   image_tags    full reference `docker.io/library/busybox:latest` → image id
 *   image_digests repository + manifest digest (RepoDigests) → image id
 *   snapshots     key (chain ID or container ID) → short on-disk name, parent, kind, size
 *   containers    id → name, image, JSON record
 *   networks      id → name, JSON record
 *   volumes       name → JSON record
 *   build_cache   cache key → image id, last used
 *   ingests       ref → expected digest/size, started (resumable downloads)
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export const SCHEMA_MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `
  CREATE TABLE images (
    id TEXT PRIMARY KEY,
    manifest TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    size INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE image_tags (
    ref TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX image_tags_image ON image_tags(image_id);
  CREATE TABLE image_digests (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    image_id TEXT NOT NULL REFERENCES images(id),
    PRIMARY KEY (repo, digest)
  );
  CREATE INDEX image_digests_image ON image_digests(image_id);
  CREATE TABLE snapshots (
    key TEXT PRIMARY KEY,
    short TEXT NOT NULL UNIQUE,
    parent TEXT,
    kind TEXT NOT NULL,
    diff_id TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX snapshots_parent ON snapshots(parent);
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    image_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
  );
  CREATE TABLE volumes (
    name TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE build_cache (
    key TEXT PRIMARY KEY,
    image_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used INTEGER NOT NULL
  );
  CREATE TABLE ingests (
    ref TEXT PRIMARY KEY,
    expected_digest TEXT,
    expected_size INTEGER,
    started_at INTEGER NOT NULL
  );
  `,
  // 2: the fields an image listing shows from the config (created, labels, top
  // chain ID), so that a list reads no blob; NULL until filled (engine/images/records.ts)
  `
  ALTER TABLE images ADD COLUMN summary TEXT;
  `,
];

export class Database {
  readonly sql: DatabaseSync;
  private cache = new Map<string, StatementSync>();

  constructor(path: string) {
    this.sql = new DatabaseSync(path);
    this.sql.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    this.migrate();
  }

  get version(): number {
    const row = this.sql.prepare('PRAGMA user_version').get() as { user_version: number };
    return row.user_version;
  }

  private migrate(): void {
    const from = this.version;
    if (from > SCHEMA_MIGRATIONS.length) {
      throw new Error(
        `metadata schema version ${from} is newer than this berthd knows (${SCHEMA_MIGRATIONS.length}); upgrade berthd`,
      );
    }
    for (let v = from; v < SCHEMA_MIGRATIONS.length; v++) {
      this.transaction(() => {
        this.sql.exec(SCHEMA_MIGRATIONS[v]);
        this.sql.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  /** A prepared statement, cached by its text. */
  prepare(text: string): StatementSync {
    let s = this.cache.get(text);
    if (!s) {
      s = this.sql.prepare(text);
      this.cache.set(text, s);
    }
    return s;
  }

  /** Runs fn in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.sql.isTransaction) return fn();
    this.sql.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.sql.exec('COMMIT');
      return r;
    } catch (e) {
      this.sql.exec('ROLLBACK');
      throw e;
    }
  }

  /** Hands SQLite's page cache back (PRAGMA shrink_memory); it fills again as queries need it. */
  releaseMemory(): void {
    this.sql.exec('PRAGMA shrink_memory');
  }

  close(): void {
    this.cache.clear();
    this.sql.close();
  }
}

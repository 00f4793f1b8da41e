/** Network records in the `networks` table, cached in memory. */
import type { Database } from '../../store/db.ts';
import type { NetworkRecord } from './record.ts';

export class NetworkStore {
  private db: Database;
  private byId = new Map<string, NetworkRecord>();

  constructor(db: Database) {
    this.db = db;
    for (const row of db.prepare('SELECT record FROM networks').all() as Array<{ record: string }>) {
      const r = JSON.parse(row.record) as NetworkRecord;
      this.byId.set(r.Id, r);
    }
  }

  all(): NetworkRecord[] {
    // A plain comparison of the RFC 3339 strings: localeCompare loads ICU's collation data (~2.5 MiB RSS).
    return [...this.byId.values()].sort((a, b) => (a.Created < b.Created ? -1 : a.Created > b.Created ? 1 : 0));
  }

  /** By full ID, exact name, or unique ID prefix (as Docker resolves). */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    for (const r of this.byId.values()) if (r.Name === ref) return r;
    const matches = [...this.byId.values()].filter((r) => r.Id.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }

  save(r: NetworkRecord): void {
    this.db
      .prepare(
        'INSERT INTO networks (id, name, record) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, record = excluded.record',
      )
      .run(r.Id, r.Name, JSON.stringify(r));
    this.byId.set(r.Id, r);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
    this.byId.delete(id);
  }
}

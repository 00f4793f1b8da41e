/**
 * Container records in the `containers` table, cached in memory: reads are
 * map lookups, every change is written through at once.
 */
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import type { Database } from '../../store/db.ts';
import type { ContainerRecord } from './record.ts';

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class ContainerRecords {
  private db: Database;
  private byId = new Map<string, ContainerRecord>();

  constructor(db: Database) {
    this.db = db;
    for (const row of db.prepare('SELECT record FROM containers ORDER BY created_at').all() as Array<{
      record: string;
    }>) {
      const rec = JSON.parse(row.record) as ContainerRecord;
      this.byId.set(rec.Id, rec);
    }
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** By full ID, name (with or without slash) or unique ID prefix. */
  find(ref: string): ContainerRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    for (const r of this.byId.values()) if (r.Name === name) return r;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.values()].filter((r) => r.Id.startsWith(ref));
    if (matches.length > 1) throw new InvalidArgumentError(`multiple containers found with provided prefix: ${ref}`);
    return matches[0];
  }

  get(ref: string): ContainerRecord {
    const r = this.find(ref);
    if (!r) throw new NotFoundError(`No such container: ${ref}`);
    return r;
  }

  checkName(name: string, exceptId?: string): string {
    if (!NAME_RE.test(name))
      throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const full = name.startsWith('/') ? name : `/${name}`;
    for (const r of this.byId.values()) {
      if (r.Name === full && r.Id !== exceptId) {
        throw new ConflictError(
          `Conflict. The container name "${full}" is already in use by container "${r.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    }
    return full;
  }

  insert(rec: ContainerRecord): void {
    this.db
      .prepare('INSERT INTO containers (id, name, image_id, created_at, record) VALUES (?, ?, ?, ?, ?)')
      .run(rec.Id, rec.Name, rec.Image, Date.parse(rec.Created), JSON.stringify(rec));
    this.byId.set(rec.Id, rec);
  }

  save(rec: ContainerRecord): void {
    this.db
      .prepare('UPDATE containers SET name = ?, record = ? WHERE id = ?')
      .run(rec.Name, JSON.stringify(rec), rec.Id);
    this.byId.set(rec.Id, rec);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
    this.byId.delete(id);
  }
}

/**
 * `GET /images/json` from an index kept in memory: the rows, tags, digests and
 * stored summaries (records.ts) are read and rendered once, and again only
 * after a write to the image tables (ImageRecords.generation). A listing
 * reads no blob; without filters it is one cached JSON string.
 */
import type { ImageSummary } from '../../wire/images.ts';
import { type Filters, filterBool, globMatch, matchLabels } from '../filters.ts';
import type { ImageRecord, ImageRecords, ImageSummaryFields } from './records.ts';
import { familiarTag, imageSummary } from './view.ts';

export type SummarizedImage = ImageRecord & { summary: ImageSummaryFields };

interface Entry {
  rec: SummarizedImage;
  /** Tag keys, sorted. */
  tags: string[];
  digests: Array<{ repo: string; digest: string }>;
  /** The entry as listed without filters (Containers -1, as Docker's list). */
  view: ImageSummary;
}

export interface ListingSources {
  records: ImageRecords;
  /** Every image with its summary fields (filled for old rows). */
  summarized: () => Promise<SummarizedImage[]>;
  /** An image ID by reference (before/since filters); throws NotFound. */
  resolve: (ref: string) => string;
  /** Containers using an image (counted only when asked). */
  containers: (imageId: string) => number;
}

export class ImageListing {
  private src: ListingSources;
  private cached: { generation: number; entries: Entry[]; json?: string } | undefined;

  constructor(src: ListingSources) {
    this.src = src;
  }

  /** The index, newest first; rebuilt when the image tables changed since. */
  private async entries(): Promise<{ generation: number; entries: Entry[]; json?: string }> {
    const generation = this.src.records.generation;
    if (this.cached?.generation === generation) return this.cached;
    const all = await this.src.summarized();
    const tags = this.src.records.allTags();
    const digests = this.src.records.allDigests();
    const entries = all.map((rec) => {
      const t = tags.get(rec.id) ?? [];
      const d = digests.get(rec.id) ?? [];
      return { rec, tags: t, digests: d, view: imageSummary(rec, rec.summary, t, d, -1) };
    });
    entries.sort((a, b) => b.view.Created - a.view.Created);
    this.cached = { generation, entries };
    return this.cached;
  }

  /** The unfiltered listing as JSON, kept until the images change. */
  async json(): Promise<string> {
    const c = await this.entries();
    c.json ??= JSON.stringify(c.entries.map((e) => e.view));
    return c.json;
  }

  async list(filters: Filters, opts: { countContainers?: boolean } = {}): Promise<ImageSummary[]> {
    const { entries } = await this.entries();
    const dangling = filterBool(filters, 'dangling');
    const refPatterns = filters.get('reference');
    const createdOf = (ref: string) => {
      const id = this.src.resolve(ref);
      return { id, created: entries.find((e) => e.rec.id === id)?.rec.summary.created ?? 0 };
    };
    const before = filters.get('before')?.map(createdOf);
    const since = filters.get('since')?.map(createdOf);
    const out: ImageSummary[] = [];
    for (const { rec, tags, digests, view } of entries) {
      if (dangling === true && tags.length > 0) continue;
      if (dangling === false && tags.length === 0) continue;
      if (!matchLabels(filters, rec.summary.labels ?? undefined)) continue;
      // With a reference filter, an image lists only the names that match (as Docker's does).
      const shown = refPatterns ? tags.filter((ref) => refPatterns.some((p) => referenceMatches(p, ref))) : tags;
      if (refPatterns && shown.length === 0) continue;
      const created = rec.summary.created;
      if (before && !before.every((b) => b.id !== rec.id && created <= b.created)) continue;
      if (since && !since.every((s) => s.id !== rec.id && created >= s.created)) continue;
      const containers = opts.countContainers ? this.src.containers(rec.id) : -1;
      out.push(
        shown === tags && containers === -1 ? { ...view } : imageSummary(rec, rec.summary, shown, digests, containers),
      );
    }
    return out;
  }
}

/** Docker's `reference=` filter: a glob on the familiar name with and without the tag. */
function referenceMatches(pattern: string, key: string): boolean {
  const fam = familiarTag(key);
  const name = fam.slice(0, fam.lastIndexOf(':'));
  return globMatch(pattern, fam) || globMatch(pattern, name);
}

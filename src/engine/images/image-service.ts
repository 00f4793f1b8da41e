/**
 * The images domain: create, find, list, tag, untag, remove and prune images.
 * An image is its config blob (the ID is the config's digest), a manifest
 * blob that names the config and the layer blobs, and tags pointing at it.
 */

import { type Digest, digestOf } from '../../lib/digest.ts';
import { ConflictError } from '../../lib/errors.ts';
import type { Descriptor, ImageConfig, Manifest } from '../../oci/image.ts';
import { MediaType } from '../../oci/media-types.ts';
import { familiarString, parseReference, repositoryName } from '../../oci/reference.ts';
import type { ContentStore } from '../../store/types.ts';
import type { DeleteItem, HistoryItem, ImageInspect, ImageSummary, PruneImagesResponse } from '../../wire/images.ts';
import type { EventBus } from '../events.ts';
import { type Filters, filterBool, matchLabels } from '../filters.ts';
import { ImageListing, type SummarizedImage } from './listing.ts';
import type { ImageRecord, ImageRecords } from './records.ts';
import { parseTagTarget, resolveImage, tagKey, tryResolveImage } from './resolve.ts';
import { familiarTag, imageHistory, imageInspect, shortImageId, summaryFields } from './view.ts';

/** Parsed configs kept in memory (inspect, create, run); listings use the stored summaries instead. */
const CONFIG_CACHE_MAX = 64;

export interface LayerInput {
  /** The layer blob, already committed to the content store. */
  descriptor: Descriptor;
  diffId: Digest;
  /** Size of the uncompressed layer tar. */
  uncompressedSize: number;
}

export interface CreateImageInput {
  /** The exact config bytes (their digest is the image ID), or an object to serialise. */
  config: Buffer | ImageConfig;
  layers: LayerInput[];
  /** Tags to point at the image, as the user typed them. */
  tags?: string[];
  /** Manifest to keep when the image came with one (pull, OCI layout); made otherwise. */
  manifest?: { descriptor: Descriptor; bytes?: Buffer };
}

/** Who uses an image: container IDs, by state. */
export type ImageUsage = (imageId: string) => { running: string[]; stopped: string[] };

export class ImageService {
  readonly records: ImageRecords;
  private content: ContentStore;
  private events: EventBus;
  private usage: ImageUsage = () => ({ running: [], stopped: [] });
  private configs = new Map<string, ImageConfig>();
  private listing: ImageListing;

  constructor(records: ImageRecords, content: ContentStore, events: EventBus) {
    this.records = records;
    this.content = content;
    this.events = events;
    this.listing = new ImageListing({
      records,
      summarized: () => this.withSummaries(),
      resolve: (ref) => this.get(ref).id,
      containers: (id) => {
        const u = this.usage(id);
        return u.running.length + u.stopped.length;
      },
    });
  }

  setUsage(fn: ImageUsage): void {
    this.usage = fn;
  }

  get(ref: string): ImageRecord {
    return resolveImage(this.records, ref);
  }

  find(ref: string): ImageRecord | undefined {
    return tryResolveImage(this.records, ref);
  }

  async config(id: string): Promise<ImageConfig> {
    let c = this.configs.get(id);
    if (!c) {
      c = JSON.parse((await this.content.readBytes(id as Digest)).toString('utf8')) as ImageConfig;
      this.keepConfig(id, c);
    }
    return c;
  }

  private keepConfig(id: string, c: ImageConfig): void {
    if (this.configs.size >= CONFIG_CACHE_MAX) this.configs.delete(this.configs.keys().next().value as string);
    this.configs.set(id, c);
  }

  /** Every image with its summary fields; rows from before schema v2 get theirs from the config, once. */
  async withSummaries(): Promise<SummarizedImage[]> {
    const all = this.records.all();
    for (const rec of all) {
      if (rec.summary) continue;
      const cfg = await this.config(rec.id);
      rec.summary = summaryFields(cfg);
      this.records.setSummary(rec.id, rec.summary);
    }
    return all as SummarizedImage[];
  }

  /** The snapshot (top chain ID) of every image: what the GC keeps. */
  async snapshotKeys(): Promise<string[]> {
    return (await this.withSummaries()).flatMap((r) => (r.summary.chainId ? [r.summary.chainId] : []));
  }

  async manifest(rec: ImageRecord): Promise<Manifest> {
    return JSON.parse((await this.content.readBytes(rec.manifest.digest)).toString('utf8')) as Manifest;
  }

  /** Stores config and manifest, records the image and points the tags at it. */
  async create(input: CreateImageInput): Promise<ImageRecord> {
    const configBytes = Buffer.isBuffer(input.config) ? input.config : Buffer.from(JSON.stringify(input.config));
    const cfgInfo = await this.content.writeBytes(configBytes);
    const cfg = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    let manifestDesc = input.manifest?.descriptor;
    if (input.manifest?.bytes) await this.content.writeBytes(input.manifest.bytes, manifestDesc?.digest);
    if (!manifestDesc) {
      const manifest: Manifest = {
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: cfgInfo.digest, size: cfgInfo.size },
        layers: input.layers.map((l) => l.descriptor),
      };
      const bytes = Buffer.from(JSON.stringify(manifest));
      const info = await this.content.writeBytes(bytes);
      manifestDesc = { mediaType: MediaType.OciManifest, digest: info.digest, size: info.size };
    }
    const rec: ImageRecord = {
      id: cfgInfo.digest,
      manifest: manifestDesc,
      addedAt: Date.now(),
      size: input.layers.reduce((n, l) => n + l.uncompressedSize, 0),
      summary: summaryFields(cfg),
    };
    this.keepConfig(rec.id, cfg);
    const isNew = this.records.insert(rec);
    const stored = isNew ? rec : (this.records.get(rec.id) as ImageRecord);
    for (const t of input.tags ?? []) this.tagImage(stored, t);
    return stored;
  }

  private tagImage(rec: ImageRecord, text: string): void {
    const ref = parseTagTarget(text);
    this.records.setTag(tagKey(ref), rec.id);
    this.events.publish('image', 'tag', rec.id, { name: familiarString(ref) });
  }

  tag(source: string, repo: string, tag?: string): void {
    const rec = this.get(source);
    const ref = parseTagTarget(repo, tag);
    this.records.setTag(tagKey(ref), rec.id);
    this.events.publish('image', 'tag', rec.id, { name: familiarString(ref) });
  }

  /** `GET /images/json` (listing.ts); containers are counted only when asked (`system df`), as Docker does. */
  list(filters: Filters, opts: { countContainers?: boolean } = {}): Promise<ImageSummary[]> {
    return this.listing.list(filters, opts);
  }

  /** The unfiltered listing as JSON, kept until the images change. */
  listJson(): Promise<string> {
    return this.listing.json();
  }

  async inspect(ref: string, graphData: Record<string, string> | null = null): Promise<ImageInspect> {
    const rec = this.get(ref);
    const cfg = await this.config(rec.id);
    return imageInspect(
      rec,
      cfg,
      this.records.tagsOf(rec.id),
      this.records.digestsOf(rec.id),
      this.records.lastTagTime(rec.id),
      graphData,
    );
  }

  async history(ref: string): Promise<HistoryItem[]> {
    const rec = this.get(ref);
    const cfg = await this.config(rec.id);
    const manifest = await this.manifest(rec);
    const sizes = await Promise.all(
      manifest.layers.map(async (l) =>
        l.mediaType.endsWith('.tar') ? l.size : ((await this.content.stat(l.digest))?.size ?? l.size),
      ),
    );
    return imageHistory(rec, cfg, this.records.tagsOf(rec.id), sizes);
  }

  /** `docker rmi`: untag, and delete the image when nothing else refers to it. */
  remove(ref: string, opts: { force?: boolean; noPrune?: boolean } = {}): DeleteItem[] {
    const rec = this.get(ref);
    const tags = this.records.tagsOf(rec.id);
    const byName = this.isNameReference(ref, rec, tags);
    const usage = this.usage(rec.id);
    const out: DeleteItem[] = [];
    if (byName && (tags.length > 1 || (opts.force && usage.running.length + usage.stopped.length > 0))) {
      return this.untag(rec, byName);
    }
    if (usage.running.length > 0) {
      throw new ConflictError(
        `conflict: unable to delete ${byName ? familiarTag(byName) : shortImageId(rec.id)} (${opts.force ? 'cannot be forced' : 'must be forced'}) - image is being used by running container ${usage.running[0].slice(0, 12)}`,
      );
    }
    if (usage.stopped.length > 0 && !opts.force) {
      throw new ConflictError(
        `conflict: unable to delete ${byName ? familiarTag(byName) : shortImageId(rec.id)} (must be forced) - image is being used by stopped container ${usage.stopped[0].slice(0, 12)}`,
      );
    }
    if (!byName && tags.length > 1 && !opts.force) {
      throw new ConflictError(
        `conflict: unable to delete ${shortImageId(rec.id)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    for (const t of tags) out.push(...this.untag(rec, t));
    for (const d of this.records.digestsOf(rec.id)) {
      out.push({ Untagged: `${familiarString(parseReference(d.repo))}@${d.digest}` });
    }
    if (usage.stopped.length > 0) return out; // forced: the image stays for its containers, untagged
    this.records.delete(rec.id);
    this.configs.delete(rec.id);
    out.push({ Deleted: rec.id });
    this.events.publish('image', 'delete', rec.id, { name: rec.id });
    return out;
  }

  private untag(rec: ImageRecord, key: string): DeleteItem[] {
    this.records.removeTag(key);
    this.events.publish('image', 'untag', rec.id, { name: familiarTag(key) });
    return [{ Untagged: familiarTag(key) }];
  }

  /** The tag key the user named, when `ref` is a name rather than an ID. */
  private isNameReference(ref: string, rec: ImageRecord, tags: string[]): string | undefined {
    if (/^(sha256:)?[0-9a-f]+$/.test(ref) && rec.id.includes(ref.replace(/^sha256:/, ''))) {
      try {
        const k = tagKey(parseReference(ref.includes(':') ? ref : `${ref}:latest`));
        if (tags.includes(k)) return k;
      } catch {}
      return undefined;
    }
    try {
      const p = parseReference(ref);
      if (p.digest) return undefined;
      const k = tagKey({ ...p, tag: p.tag ?? 'latest' });
      return tags.includes(k) ? k : undefined;
    } catch {
      return undefined;
    }
  }

  /** `docker image prune`: dangling images (or with `all`, every unused image). */
  async prune(filters: Filters): Promise<PruneImagesResponse> {
    const all = filterBool(filters, 'dangling') === false;
    const tags = this.records.allTags();
    const deleted: DeleteItem[] = [];
    let reclaimed = 0;
    for (const rec of await this.withSummaries()) {
      const t = tags.get(rec.id) ?? [];
      if (!all && t.length > 0) continue;
      const u = this.usage(rec.id);
      if (u.running.length + u.stopped.length > 0) continue;
      if (!matchLabels(filters, rec.summary.labels ?? undefined)) continue;
      const until = filters.get('until');
      if (until && !until.every((x) => rec.summary.created < parseUntil(x))) continue;
      deleted.push(...this.remove(rec.id, { force: true }));
      reclaimed += rec.size;
    }
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** Every blob an image refers to: config, manifest and layers. */
  async liveBlobs(): Promise<Set<Digest>> {
    const live = new Set<Digest>();
    for (const rec of this.records.all()) {
      live.add(rec.id);
      live.add(rec.manifest.digest);
      const m = await this.manifest(rec).catch(() => undefined);
      for (const l of m?.layers ?? []) live.add(l.digest);
    }
    return live;
  }

  /** The repo digest to record for a pushed or pulled manifest. */
  addRepoDigest(rec: ImageRecord, repo: string, digest: Digest): void {
    this.records.addDigest(repositoryName(parseReference(repo)), digest, rec.id);
  }

  configDigestOf(bytes: Buffer): Digest {
    return digestOf(bytes);
  }
}

function parseUntil(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const d = /^(\d+)(s|m|h)$/.exec(s);
  if (d) return Date.now() / 1000 - Number(d[1]) * { s: 1, m: 60, h: 3600 }[d[2] as 's' | 'm' | 'h'];
  const t = Date.parse(s);
  return Number.isFinite(t) ? t / 1000 : Number.POSITIVE_INFINITY;
}

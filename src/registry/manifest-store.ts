/** Manifests, tags and referrers of repositories. */
import { type Digest, digestOf } from '../lib/digest.ts';
import { NotFoundError } from '../lib/errors.ts';
import type { Descriptor } from '../oci/image.ts';
import { isNonDistributable } from '../oci/media-types.ts';
import type { BlobStore } from './blob-store.ts';
import { digestInvalid, manifestUnknown, nameUnknown, RegistryError } from './errors.ts';
import {
  digestFromEntry,
  referrerLinkKey,
  referrersKey,
  repoKey,
  revisionLinkKey,
  revisionsKey,
  tagLinkKey,
  tagsKey,
} from './layout.ts';
import { type ParsedManifest, parseManifest, referrerDescriptor } from './manifest.ts';
import { type CachedManifest, ManifestCache } from './manifest-cache.ts';
import type { ManifestRef } from './names.ts';
import type { StorageDriver } from './storage/driver.ts';

export interface PutManifestResult {
  digest: Digest;
  subject?: Digest;
}

export class ManifestStore {
  private readonly driver: StorageDriver;
  private readonly blobs: BlobStore;
  readonly cache: ManifestCache;

  constructor(driver: StorageDriver, blobs: BlobStore, cache = new ManifestCache()) {
    this.driver = driver;
    this.blobs = blobs;
    this.cache = cache;
  }

  async repoExists(name: string): Promise<boolean> {
    return (await this.driver.stat(repoKey(name)))?.isDir === true;
  }

  async resolveTag(name: string, tag: string): Promise<Digest> {
    const cached = this.cache.getTag(name, tag);
    if (cached) return cached;
    let digest: Digest;
    try {
      digest = (await this.driver.getContent(tagLinkKey(name, tag))).toString('utf8') as Digest;
    } catch (e) {
      if (e instanceof NotFoundError) throw manifestUnknown(tag);
      throw e;
    }
    this.cache.setTag(name, tag, digest);
    return digest;
  }

  /** The manifest a tag or digest names in a repository. */
  async get(name: string, ref: ManifestRef): Promise<CachedManifest> {
    const digest = ref.kind === 'tag' ? await this.resolveTag(name, ref.tag) : ref.digest;
    const hit = this.cache.get(name, digest);
    if (hit) return hit;
    let mediaType: string;
    try {
      mediaType = (await this.driver.getContent(revisionLinkKey(name, digest))).toString('utf8');
    } catch (e) {
      if (e instanceof NotFoundError) throw manifestUnknown(ref.kind === 'tag' ? ref.tag : digest);
      throw e;
    }
    await this.blobs.guard.use(digest);
    let body: Buffer;
    try {
      body = await this.blobs.read(digest);
    } catch (e) {
      if (e instanceof NotFoundError) throw manifestUnknown(digest);
      throw e;
    }
    const m = { digest, mediaType, body };
    this.cache.set(name, m);
    return m;
  }

  async has(name: string, digest: Digest): Promise<boolean> {
    return (await this.driver.stat(revisionLinkKey(name, digest))) !== undefined;
  }

  /** Stores a manifest after checking it; every blob and manifest it names must be in the repository. */
  async put(
    name: string,
    ref: ManifestRef,
    body: Buffer,
    contentType: string | undefined,
    opts: { trustReferences?: boolean } = {},
  ): Promise<PutManifestResult> {
    const parsed = parseManifest(body, contentType);
    const digest = digestOf(body, ref.kind === 'digest' ? (ref.digest.split(':')[0] as 'sha256' | 'sha512') : 'sha256');
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw digestInvalid('manifest digest does not match the reference', { expected: ref.digest, actual: digest });
    }
    if (!opts.trustReferences) await this.checkReferences(name, parsed);
    await this.blobs.putSmall(digest, body);
    await this.driver.putContent(revisionLinkKey(name, digest), Buffer.from(parsed.mediaType));
    if (parsed.subject) {
      const desc = referrerDescriptor(parsed, digest, body.length);
      await this.driver.putContent(
        referrerLinkKey(name, parsed.subject.digest, digest),
        Buffer.from(JSON.stringify(desc)),
      );
    }
    if (ref.kind === 'tag') {
      await this.driver.putContent(tagLinkKey(name, ref.tag), Buffer.from(digest));
      this.cache.setTag(name, ref.tag, digest);
    }
    this.cache.set(name, { digest, mediaType: parsed.mediaType, body });
    return { digest, subject: parsed.subject?.digest };
  }

  private async checkReferences(name: string, p: ParsedManifest): Promise<void> {
    const missing: Descriptor[] = [];
    await Promise.all([
      ...p.blobs.map(async (d) => {
        if (d.urls?.length && isNonDistributable(d.mediaType)) return;
        if ((await this.blobs.sizeInRepo(name, d.digest)) === undefined) missing.push(d);
      }),
      ...p.manifests.map(async (d) => {
        if (!(await this.has(name, d.digest))) missing.push(d);
      }),
    ]);
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 400, `manifest references unknown blob ${missing[0].digest}`, {
        digest: missing[0].digest,
      });
    }
  }

  /** Deletes a tag, or a manifest (with every tag pointing to it and its referrer entry). */
  async delete(name: string, ref: ManifestRef): Promise<void> {
    if (ref.kind === 'tag') {
      if (!(await this.driver.stat(tagLinkKey(name, ref.tag)))) throw manifestUnknown(ref.tag);
      await this.driver.delete(`${tagsKey(name)}/${ref.tag}`);
      this.cache.dropTag(name, ref.tag);
      return;
    }
    const d = ref.digest;
    if (!(await this.repoExists(name))) throw nameUnknown(name);
    if (!(await this.has(name, d))) throw manifestUnknown(d);
    let subject: Digest | undefined;
    try {
      subject = parseManifest(await this.blobs.read(d), undefined).subject?.digest;
    } catch {}
    for (const tag of await this.driver.list(tagsKey(name))) {
      const t = await this.driver.getContent(tagLinkKey(name, tag)).catch(() => undefined);
      if (t?.toString('utf8') === d) await this.driver.delete(`${tagsKey(name)}/${tag}`);
    }
    await this.driver.delete(revisionLinkKey(name, d).slice(0, -'/link'.length));
    if (subject) await this.driver.delete(referrerLinkKey(name, subject, d).slice(0, -'/link'.length));
    this.cache.dropTags(name);
    this.cache.drop(name, d);
  }

  async tags(name: string): Promise<string[]> {
    if (!(await this.repoExists(name))) throw nameUnknown(name);
    return this.driver.list(tagsKey(name));
  }

  /** Digests of every manifest in a repository. */
  async revisions(name: string): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of await this.driver.list(revisionsKey(name))) {
      for (const hex of await this.driver.list(`${revisionsKey(name)}/${alg}`)) out.push(`${alg}:${hex}` as Digest);
    }
    return out;
  }

  async referrers(name: string, subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const base = referrersKey(name, subject);
    const out: Descriptor[] = [];
    for (const entry of await this.driver.list(base)) {
      const d = digestFromEntry(entry);
      let desc: Descriptor;
      try {
        desc = JSON.parse((await this.driver.getContent(`${base}/${entry}/link`)).toString('utf8'));
      } catch {
        continue;
      }
      if (!(await this.has(name, d))) continue;
      if (artifactType !== undefined && desc.artifactType !== artifactType) continue;
      out.push(desc);
    }
    return out;
  }
}

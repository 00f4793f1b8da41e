/**
 * Hot manifests in memory: tag → digest (with a time to live, so replicas
 * sharing one backend converge) and digest → body (immutable, bounded by
 * bytes, least recently used out first). Writes in this process invalidate.
 */
import type { Digest } from '../lib/digest.ts';

export interface CachedManifest {
  digest: Digest;
  mediaType: string;
  body: Buffer;
}

export class ManifestCache {
  private readonly tags = new Map<string, { digest: Digest; expires: number }>();
  private readonly bodies = new Map<string, CachedManifest>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly tagTtlMs: number;

  constructor(maxBytes = 32 * 1024 * 1024, tagTtlMs = 5000) {
    this.maxBytes = maxBytes;
    this.tagTtlMs = tagTtlMs;
  }

  getTag(name: string, tag: string): Digest | undefined {
    const k = `${name}:${tag}`;
    const e = this.tags.get(k);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.tags.delete(k);
      return undefined;
    }
    return e.digest;
  }

  setTag(name: string, tag: string, digest: Digest): void {
    if (this.maxBytes === 0) return;
    if (this.tags.size > 100_000) this.tags.clear();
    this.tags.set(`${name}:${tag}`, { digest, expires: Date.now() + this.tagTtlMs });
  }

  dropTag(name: string, tag: string): void {
    this.tags.delete(`${name}:${tag}`);
  }

  /** Forgets every tag of a repository (after a manifest delete untags several). */
  dropTags(name: string): void {
    const p = `${name}:`;
    for (const k of this.tags.keys()) if (k.startsWith(p)) this.tags.delete(k);
  }

  get(name: string, digest: Digest): CachedManifest | undefined {
    const k = `${name}@${digest}`;
    const e = this.bodies.get(k);
    if (e) {
      this.bodies.delete(k);
      this.bodies.set(k, e);
    }
    return e;
  }

  set(name: string, m: CachedManifest): void {
    if (m.body.length > this.maxBytes / 4) return;
    const k = `${name}@${m.digest}`;
    this.drop(name, m.digest);
    this.bodies.set(k, m);
    this.bytes += m.body.length;
    for (const [key, v] of this.bodies) {
      if (this.bytes <= this.maxBytes) break;
      this.bodies.delete(key);
      this.bytes -= v.body.length;
    }
  }

  drop(name: string, digest: Digest): void {
    const k = `${name}@${digest}`;
    const e = this.bodies.get(k);
    if (e) {
      this.bodies.delete(k);
      this.bytes -= e.body.length;
    }
  }
}

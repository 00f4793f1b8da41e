/**
 * What push remembers between runs, so that a second push neither
 * recompresses a layer nor uploads what a registry already has:
 *
 *   STATE_DIR/compressed/<diffID hex>   {"digest","size","mediaType"} of the gzip blob made from that layer
 *   STATE_DIR/sources/<blob hex>        ["host:port/repo", …] repositories known to hold the blob (mount sources)
 *
 * Both are hints: a missing or stale entry only costs a recompression or a
 * plain upload.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic.ts';
import { type Digest, digestHex } from '../lib/digest.ts';
import type { Descriptor } from '../oci/image.ts';

export class PushState {
  private dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private async read<T>(sub: string, digest: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, sub, digestHex(digest)), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  private async write(sub: string, digest: string, v: unknown): Promise<void> {
    await mkdir(join(this.dir, sub), { recursive: true });
    await writeFileAtomic(join(this.dir, sub, digestHex(digest)), JSON.stringify(v));
  }

  compressed(diffId: Digest): Promise<Descriptor | undefined> {
    return this.read<Descriptor>('compressed', diffId);
  }

  setCompressed(diffId: Digest, d: Descriptor): Promise<void> {
    return this.write('compressed', diffId, { mediaType: d.mediaType, digest: d.digest, size: d.size });
  }

  async sources(blob: Digest): Promise<string[]> {
    return (await this.read<string[]>('sources', blob)) ?? [];
  }

  async addSource(blob: Digest, repo: string): Promise<void> {
    const s = await this.sources(blob);
    if (s.includes(repo)) return;
    await this.write('sources', blob, [repo, ...s].slice(0, 8));
  }
}

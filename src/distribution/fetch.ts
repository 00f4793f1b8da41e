/**
 * Downloads a blob into the content store: digest and size are checked at
 * commit (nothing partial is ever visible), and a broken download resumes
 * from what the ingest already holds with an HTTP Range request.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../lib/digest.ts';
import { InvalidArgumentError, UnavailableError } from '../lib/errors.ts';
import type { Descriptor } from '../oci/image.ts';
import type { BlobInfo, ContentStore, Ingest } from '../store/types.ts';
import type { RegistryClient } from './registry-client.ts';

export interface FetchOptions {
  /** Called as bytes arrive: bytes held so far, and the blob's size. */
  onBytes?: (current: number, total: number) => void;
  /**
   * Each chunk as it is written, with its offset in the blob (to feed a
   * parallel consumer, e.g. an unpack); the download waits for its promise.
   */
  onChunk?: (chunk: Buffer, offset: number) => void | Promise<void>;
  /** Attempts after a broken connection (default 5). */
  retries?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BATCH = 1 << 20;

/**
 * Copies the body into the ingest in writes of about 1 MiB (many small
 * writes cost more than the network here); `onChunk` sees each chunk as it
 * arrives.
 */
async function copyInto(body: Readable, ingest: Ingest, o: FetchOptions, total: number): Promise<void> {
  let parts: Buffer[] = [];
  let held = 0;
  const flush = async () => {
    if (held === 0) return;
    const batch = parts;
    parts = [];
    held = 0;
    await ingest.write(batch);
    o.onBytes?.(ingest.offset, total);
  };
  try {
    for await (const c of body) {
      const at = ingest.offset + held;
      parts.push(c as Buffer);
      held += (c as Buffer).length;
      const fed = o.onChunk?.(c as Buffer, at);
      if (held >= BATCH) await Promise.all([flush(), fed]);
      else await fed;
    }
  } finally {
    await flush(); // keep what arrived before a break: the resume starts after it
  }
}

export async function fetchBlob(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  content: ContentStore,
  o: FetchOptions = {},
): Promise<BlobInfo> {
  const existing = await content.stat(desc.digest);
  if (existing) return existing;
  const ref = `pull-${desc.digest}`;
  const expected = { digest: desc.digest as Digest, size: desc.size };
  let ingest = await content.ingest(ref, expected);
  const retries = o.retries ?? 5;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        if (ingest.offset < desc.size || desc.size === 0) {
          const { body, from } = await client.blob(repo, desc.digest, ingest.offset);
          if (from !== ingest.offset) {
            // the registry ignored Range: start over
            await ingest.close();
            await content.abortIngest(ref);
            ingest = await content.ingest(ref, expected);
          }
          await copyInto(body, ingest, o, desc.size);
        }
        if (ingest.offset < desc.size)
          throw new UnavailableError(`connection closed after ${ingest.offset} of ${desc.size} bytes`);
        break;
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw e; // size overflow: the ingest is gone
        const transient = !(e as { kind?: string }).kind || (e as { kind?: string }).kind === 'Unavailable';
        if (!transient || attempt >= retries) throw e;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
    try {
      return await ingest.commit(expected);
    } catch (e) {
      if (e instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(`filesystem layer verification failed for digest ${desc.digest}: ${e.message}`);
      }
      throw e;
    }
  } catch (e) {
    await ingest.close().catch(() => {});
    throw e;
  }
}

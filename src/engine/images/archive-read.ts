/**
 * First pass of `docker load`: reads an image archive (docker-archive or OCI
 * image layout, possibly both in one tar) in the order its entries come.
 * Small files (JSON) are kept in memory; every larger file goes into a
 * content-store ingest and is hashed on the way. Nothing is committed here:
 * the second pass (archive-load.ts) commits only what the archive's
 * manifests name, after checking digests.
 *
 * Each large file is also unpacked as a layer while it streams in (`stage`),
 * since the manifests that say which files are layers usually come last;
 * a file that turns out not to be a layer just leaves its staging unused.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, Digester } from '../../lib/digest.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { readTar } from '../../store/tar-reader.ts';
import type { ContentStore, Ingest } from '../../store/types.ts';
import type { StagedLayer } from './staged-layer.ts';

const SMALL = 4 * 1024 * 1024;
/** Writes into the ingest of about this size (fewer, larger writes). */
const BATCH = 1 << 20;

export type Stage = (plainDigest: () => Digest) => Promise<StagedLayer>;

export interface ArchiveFile {
  digest: Digest;
  size: number;
  /** Kept in memory when small. */
  bytes?: Buffer;
  /** The open ingest holding the bytes when large. */
  ingest?: Ingest;
  /** A large file unpacked as a layer while it came in. */
  staged?: StagedLayer;
}

export interface ArchiveContents {
  files: Map<string, ArchiveFile>;
  /** Symlinks in the archive (Docker writes repeated layers as links). */
  links: Map<string, string>;
  /** Aborts every ingest not committed, removes every staged layer not committed. */
  discard(): Promise<void>;
}

function clean(name: string): string {
  return posix
    .normalize(name)
    .replace(/^\.\/+/, '')
    .replace(/^\/+/, '');
}

export async function readImageArchive(src: Readable, content: ContentStore, stage?: Stage): Promise<ArchiveContents> {
  const files = new Map<string, ArchiveFile>();
  const links = new Map<string, string>();
  const refs: string[] = [];
  const staged: StagedLayer[] = [];
  const batch = randomBytes(6).toString('hex');
  const discard = async () => {
    for (const ref of refs) await content.abortIngest(ref).catch(() => {});
    await Promise.all(staged.map((s) => s.discard().catch(() => {})));
  };
  try {
    await readTar(
      src,
      async (entry, body) => {
        const name = clean(entry.name);
        if (entry.type === 'symlink' || entry.type === 'link') {
          const target =
            entry.type === 'symlink' ? posix.join(posix.dirname(name), entry.linkname) : clean(entry.linkname);
          links.set(name, clean(target));
          return;
        }
        if (entry.type !== 'file') return;
        if (entry.size <= SMALL) {
          const d = new Digester();
          const chunks: Buffer[] = [];
          for await (const c of body) {
            d.update(c);
            chunks.push(c);
          }
          files.set(name, { digest: d.digest(), size: d.size, bytes: Buffer.concat(chunks) });
          return;
        }
        const ref = `load-${batch}-${name}`;
        refs.push(ref);
        const ingest = await content.ingest(ref);
        const layer = stage ? await stage(() => ingest.digest()) : undefined;
        if (layer) staged.push(layer);
        let parts: Buffer[] = [];
        let held = 0;
        const flush = async () => {
          const batch = parts;
          parts = [];
          held = 0;
          await ingest.write(batch);
        };
        for await (const c of body) {
          parts.push(c);
          held += c.length;
          const w = layer?.write(c);
          if (held >= BATCH) await Promise.all([flush(), w]);
          else await w;
        }
        if (held > 0) await flush();
        layer?.end(ingest.offset);
        files.set(name, { digest: ingest.digest(), size: ingest.offset, ingest, staged: layer });
      },
      { truncated: 'unexpected end of the image archive: the tar is truncated' },
    );
  } catch (e) {
    await discard();
    if (e instanceof InvalidArgumentError)
      throw new InvalidArgumentError(`invalid image archive: ${e.message}`, { cause: e });
    throw e;
  }
  return { files, links, discard };
}

/** A file of the archive by path, following the archive's own links. */
export function archiveFile(c: ArchiveContents, path: string): ArchiveFile | undefined {
  let p = clean(path);
  for (let i = 0; i < 16 && !c.files.has(p) && c.links.has(p); i++) p = c.links.get(p) as string;
  return c.files.get(p);
}

export function archiveJson<T>(c: ArchiveContents, path: string): T | undefined {
  const f = archiveFile(c, path);
  if (!f) return undefined;
  if (!f.bytes) throw new InvalidArgumentError(`invalid image archive: ${path} is too large`);
  try {
    return JSON.parse(f.bytes.toString('utf8')) as T;
  } catch (e) {
    throw new InvalidArgumentError(`invalid image archive: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

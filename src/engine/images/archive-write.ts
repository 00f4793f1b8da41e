/**
 * `docker save`: images out as one tar that is both a docker-archive
 * (manifest.json, repositories) and an OCI image layout (oci-layout,
 * index.json, blobs/), as Docker 25+ writes it. Blobs are streamed from the
 * content store as they are; each blob is written once.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.ts';
import { digestHex } from '../../lib/digest.ts';
import type { Descriptor, Index } from '../../oci/image.ts';
import { MediaType } from '../../oci/media-types.ts';
import { familiarRepository, parseReference, referenceString } from '../../oci/reference.ts';
import { END_OF_ARCHIVE, encodeHeader, padding } from '../../store/tar-format.ts';
import type { ContentStore } from '../../store/types.ts';
import type { ImageService } from './image-service.ts';
import type { ImageRecord } from './records.ts';
import { familiarTag } from './view.ts';

export interface SaveItem {
  rec: ImageRecord;
  /** Tag keys to record (all of the image's tags when saved by ID, the named one otherwise). */
  tags: string[];
}

function header(name: string, size: number, mtime: number, type: 'file' | 'dir' = 'file'): Buffer {
  return encodeHeader({
    name,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
  });
}

async function* entries(content: ContentStore, images: ImageService, items: SaveItem[]): AsyncGenerator<Buffer> {
  const mtime = Math.floor(Date.now() / 1000);
  const written = new Set<string>();
  const dockerManifest: Array<{
    Config: string;
    RepoTags: string[] | null;
    Layers: string[];
    LayerSources?: Record<string, Descriptor>;
  }> = [];
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
  const repositories: Record<string, Record<string, string>> = {};
  yield header('blobs/', 0, mtime, 'dir');
  yield header('blobs/sha256/', 0, mtime, 'dir');
  const blob = async function* (d: Digest): AsyncGenerator<Buffer> {
    if (written.has(d)) return;
    written.add(d);
    const info = await content.stat(d);
    if (!info) throw new Error(`blob ${d} is missing from the content store`);
    yield header(`blobs/sha256/${digestHex(d)}`, info.size, mtime);
    for await (const c of createReadStream(content.path(d), { highWaterMark: 1 << 20 })) yield c as Buffer;
    const pad = padding(info.size);
    if (pad) yield Buffer.alloc(pad);
  };
  for (const { rec, tags } of items) {
    const manifest = await images.manifest(rec);
    yield* blob(rec.id);
    for (const l of manifest.layers) yield* blob(l.digest);
    yield* blob(rec.manifest.digest);
    const familiar = tags.map(familiarTag);
    dockerManifest.push({
      Config: `blobs/sha256/${digestHex(rec.id)}`,
      RepoTags: familiar.length ? familiar : null,
      Layers: manifest.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
    });
    const base = { mediaType: rec.manifest.mediaType, digest: rec.manifest.digest, size: rec.manifest.size };
    if (tags.length === 0) index.manifests.push(base);
    for (const t of tags) {
      const ref = parseReference(t);
      index.manifests.push({
        ...base,
        annotations: {
          'io.containerd.image.name': referenceString(ref),
          'org.opencontainers.image.ref.name': ref.tag ?? 'latest',
        },
      });
      const top = manifest.layers.length
        ? digestHex(manifest.layers[manifest.layers.length - 1].digest)
        : digestHex(rec.id);
      const repo = familiarRepository(ref);
      repositories[repo] = { ...repositories[repo], [ref.tag ?? 'latest']: top };
    }
  }
  for (const [name, body] of [
    ['index.json', JSON.stringify(index)],
    ['manifest.json', JSON.stringify(dockerManifest)],
    ['oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })],
    ['repositories', JSON.stringify(repositories)],
  ] as const) {
    const b = Buffer.from(body);
    yield header(name, b.length, mtime);
    yield b;
    const pad = padding(b.length);
    if (pad) yield Buffer.alloc(pad);
  }
  yield END_OF_ARCHIVE;
}

export function saveImages(content: ContentStore, images: ImageService, items: SaveItem[]): Readable {
  return Readable.from(entries(content, images, items), { objectMode: false });
}

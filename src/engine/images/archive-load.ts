/**
 * `docker load`: an image archive in, images out. Reads the archive once
 * (archive-read.ts), then commits exactly the blobs its manifests name,
 * each checked against its digest, creates the images and unpacks their
 * layers (which also checks every layer entry). Layers are unpacked while
 * the archive streams in (staged-layer.ts) and committed as snapshots once
 * the manifests vouch for them. On any error nothing the load added stays:
 * ingests are aborted, staged layers removed and new images removed.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.ts';
import { InvalidArgumentError, isBerthError } from '../../lib/errors.ts';
import type { Descriptor, ImageConfig, Index, Manifest } from '../../oci/image.ts';
import { hostPlatform } from '../../oci/image.ts';
import { isIndexMediaType, MediaType } from '../../oci/media-types.ts';
import type { BlobInfo, ContentStore } from '../../store/types.ts';
import {
  type ArchiveContents,
  type ArchiveFile,
  archiveFile,
  archiveJson,
  readImageArchive,
  type Stage,
} from './archive-read.ts';
import type { ImageService, LayerInput } from './image-service.ts';
import { uncompressedDigest } from './layer-digest.ts';
import type { ImageRecord } from './records.ts';
import type { StagedLayer } from './staged-layer.ts';
import type { StagedLayers } from './unpack.ts';

interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

export interface LoadResult {
  images: Array<{ id: string; tags: string[] }>;
}

/** What the load needs of the Unpacker (unpack.ts). */
export interface LayerUnpacker {
  stage: Stage;
  unpack(rec: ImageRecord, staged?: StagedLayers): Promise<unknown>;
}

/** The uncompressed digest and size of a stored layer: from its staged unpack, else by reading it again. */
async function uncompressed(content: ContentStore, f: ArchiveFile, digest: Digest) {
  const r = await f.staged?.result();
  if (r) return { compression: r.compression, diffId: r.diffId, size: r.tarSize };
  return uncompressedDigest(content.path(digest));
}

async function commitFile(
  content: ContentStore,
  f: ArchiveFile,
  expected: Digest | undefined,
  what: string,
): Promise<BlobInfo> {
  if (expected && f.digest !== expected) {
    throw new InvalidArgumentError(
      `invalid image archive: ${what} does not match its digest (expected ${expected}, got ${f.digest})`,
    );
  }
  if (f.bytes) return content.writeBytes(f.bytes, f.digest);
  if (!f.ingest) throw new InvalidArgumentError(`invalid image archive: ${what} has no content`);
  if (await content.has(f.digest)) {
    await f.ingest.close();
    return { digest: f.digest, size: f.size };
  }
  return f.ingest.commit({ digest: f.digest, size: f.size });
}

function need(c: ArchiveContents, path: string, what: string): ArchiveFile {
  const f = archiveFile(c, path);
  if (!f) throw new InvalidArgumentError(`invalid image archive: ${what} ${path} is missing`);
  return f;
}

/** A docker-archive layer: committed as it is; its diffID must match the config's. */
async function dockerLayer(
  content: ContentStore,
  c: ArchiveContents,
  path: string,
  diffId: Digest,
  i: number,
): Promise<LayerInput> {
  const f = need(c, path, `layer`);
  const info = await commitFile(content, f, undefined, `layer ${path}`);
  if (info.digest === diffId) {
    return {
      descriptor: { mediaType: MediaType.OciLayer, digest: info.digest, size: info.size },
      diffId,
      uncompressedSize: info.size,
    };
  }
  const u = await uncompressed(content, f, info.digest);
  if (u.diffId !== diffId) {
    throw new InvalidArgumentError(
      `invalid image archive: layer ${i + 1} (${path}) does not match its digest: the config says ${diffId}, the layer is ${u.diffId}`,
    );
  }
  const mediaType =
    u.compression === 'zstd'
      ? MediaType.OciLayerZstd
      : u.compression === 'gzip'
        ? MediaType.OciLayerGzip
        : MediaType.OciLayer;
  return { descriptor: { mediaType, digest: info.digest, size: info.size }, diffId, uncompressedSize: u.size };
}

async function loadDockerArchive(
  content: ContentStore,
  images: ImageService,
  c: ArchiveContents,
  entries: DockerArchiveEntry[],
) {
  const out: Array<{ rec: ImageRecord; tags: string[] }> = [];
  for (const e of entries) {
    const cfgFile = need(c, e.Config, 'config');
    if (!cfgFile.bytes) throw new InvalidArgumentError(`invalid image archive: config ${e.Config} is too large`);
    const cfg = archiveJson<ImageConfig>(c, e.Config) as ImageConfig;
    const diffIds = cfg.rootfs?.diff_ids ?? [];
    if (diffIds.length !== e.Layers.length) {
      throw new InvalidArgumentError(
        `invalid image archive: ${e.Config} names ${diffIds.length} layers, manifest.json ${e.Layers.length}`,
      );
    }
    const layers: LayerInput[] = [];
    for (let i = 0; i < e.Layers.length; i++) layers.push(await dockerLayer(content, c, e.Layers[i], diffIds[i], i));
    const rec = await images.create({ config: cfgFile.bytes, layers });
    out.push({ rec, tags: e.RepoTags ?? [] });
  }
  return out;
}

async function blob(content: ContentStore, c: ArchiveContents, d: Descriptor): Promise<ArchiveFile> {
  const f = need(c, `blobs/${d.digest.replace(':', '/')}`, 'blob');
  await commitFile(content, f, d.digest, `blob ${d.digest}`);
  return f;
}

/** Picks the host's platform from an index (recursively), or the only manifest. */
function pickManifest(c: ArchiveContents, idx: Index): Descriptor[] {
  const host = hostPlatform();
  const out: Descriptor[] = [];
  for (const d of idx.manifests) {
    if (isIndexMediaType(d.mediaType)) {
      const nested = archiveJson<Index>(c, `blobs/${d.digest.replace(':', '/')}`);
      if (nested)
        out.push(
          ...pickManifest(c, nested).map((n) => ({ ...n, annotations: { ...d.annotations, ...n.annotations } })),
        );
    } else if (!d.platform || (d.platform.os === host.os && d.platform.architecture === host.architecture)) {
      out.push(d);
    }
  }
  return out;
}

async function loadOciLayout(content: ContentStore, images: ImageService, c: ArchiveContents) {
  const idx = archiveJson<Index>(c, 'index.json') as Index;
  const out: Array<{ rec: ImageRecord; tags: string[] }> = [];
  for (const d of pickManifest(c, idx)) {
    const mf = await blob(content, c, d);
    const manifest = JSON.parse((mf.bytes as Buffer).toString('utf8')) as Manifest;
    const cfgFile = await blob(content, c, manifest.config);
    const cfg = JSON.parse((cfgFile.bytes as Buffer).toString('utf8')) as ImageConfig;
    const layers: LayerInput[] = [];
    const dist = manifest.layers.filter((l) => !l.mediaType.includes('nondistributable'));
    for (let i = 0; i < dist.length; i++) {
      const lf = await blob(content, c, dist[i]);
      const isPlain = dist[i].mediaType === MediaType.OciLayer || dist[i].mediaType.endsWith('.tar');
      const size = isPlain ? lf.size : (await uncompressed(content, lf, dist[i].digest)).size;
      layers.push({ descriptor: dist[i], diffId: cfg.rootfs.diff_ids[i], uncompressedSize: size });
    }
    const name = d.annotations?.['io.containerd.image.name'];
    const rec = await images.create({
      config: cfgFile.bytes as Buffer,
      layers,
      manifest: { descriptor: { mediaType: d.mediaType ?? MediaType.OciManifest, digest: d.digest, size: d.size } },
    });
    out.push({ rec, tags: name ? [name] : [] });
  }
  return out;
}

export async function loadImages(
  src: Readable,
  content: ContentStore,
  images: ImageService,
  unpacker: LayerUnpacker,
): Promise<LoadResult> {
  const c = await readImageArchive(src, content, unpacker.stage.bind(unpacker));
  const existing = new Set(images.records.all().map((r) => r.id));
  let created: Array<{ rec: ImageRecord; tags: string[] }> = [];
  try {
    const manifest = archiveJson<DockerArchiveEntry[]>(c, 'manifest.json');
    if (manifest) created = await loadDockerArchive(content, images, c, manifest);
    else if (archiveFile(c, 'index.json')) created = await loadOciLayout(content, images, c);
    else
      throw new InvalidArgumentError(
        'invalid image archive: neither manifest.json (docker-archive) nor index.json (OCI layout) found',
      );
    const staged = new Map<Digest, StagedLayer>();
    for (const f of c.files.values()) if (f.staged) staged.set(f.digest, f.staged);
    for (const { rec } of created) await unpacker.unpack(rec, staged);
  } catch (e) {
    for (const { rec } of created) if (!existing.has(rec.id)) images.records.delete(rec.id);
    await c.discard();
    if (isBerthError(e)) throw e;
    throw new InvalidArgumentError(`loading the image archive failed: ${(e as Error).message}`, { cause: e });
  }
  await c.discard();
  const result: LoadResult = { images: [] };
  for (const { rec, tags } of created) {
    for (const t of tags) images.tag(rec.id, t);
    result.images.push({ id: rec.id, tags });
  }
  return result;
}

/**
 * `docker pull`: resolves the reference on the registry (mirrors first for
 * docker.io), downloads the missing layer blobs several at once (each
 * digest-checked and resumable) and unpacks each while it downloads, into
 * its own directory (staged-layer.ts); a layer's snapshot is committed, in
 * order, once its blob verified. Then records the image, its tag and repo
 * digest.
 * Progress goes out as Docker's JSON messages.
 */
import { Transform } from 'node:stream';
import {
  type AuthConfig,
  credentialsOf,
  fetchBlob,
  LayerProgress,
  Limiter,
  type ProgressSink,
  PushState,
  parsePlatform,
  RegistryClient,
  type RegistryHosts,
  type ResolvedImage,
  resolveImage,
  shortId,
} from '../../distribution/index.ts';
import { chainIds, type Digest } from '../../lib/digest.ts';
import { InvalidArgumentError, isBerthError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { Descriptor, ImageConfig } from '../../oci/image.ts';
import { isNonDistributable } from '../../oci/media-types.ts';
import { familiarString, parseReferenceWithDefaultTag, repositoryName } from '../../oci/reference.ts';
import { applyLayer } from '../../store/layer-apply.ts';
import type { ContentStore, Snapshotter } from '../../store/types.ts';
import type { EventBus } from '../events.ts';
import type { ImageService, LayerInput } from './image-service.ts';
import type { ImageRecord } from './records.ts';
import { tagKey } from './resolve.ts';
import { StagedLayer } from './staged-layer.ts';

export interface DistributionContext {
  content: ContentStore;
  snapshots: Snapshotter;
  images: ImageService;
  events: EventBus;
  hosts: RegistryHosts;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Folder for push bookkeeping (compressed-layer map). */
  stateDir: string;
  log?: Logger;
}

export interface PullOptions {
  /** As the user typed it: `busybox`, `host:5000/app:1`, `app@sha256:…`. */
  ref: string;
  platform?: string;
  auth?: AuthConfig;
}

/** Downloads of the same blob by concurrent pulls share one promise. */
const inflight = new Map<string, Promise<unknown>>();

function counting(onCount: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      onCount(n);
      cb(null, chunk);
    },
  });
}

async function resolveOnEndpoints(
  ctx: DistributionContext,
  domain: string,
  path: string,
  ref: string,
  o: PullOptions,
): Promise<{ client: RegistryClient; img: ResolvedImage }> {
  const endpoints = ctx.hosts.pullEndpoints(domain);
  const platform = parsePlatform(o.platform);
  let lastErr: unknown;
  for (const ep of endpoints) {
    const client = new RegistryClient(ep, credentialsOf(o.auth));
    try {
      return { client, img: await resolveImage(client, path, ref, platform) };
    } catch (e) {
      lastErr = e;
      if (!ep.mirror) break;
      ctx.log?.warn('registry mirror failed, trying the next endpoint', { mirror: ep.base, error: String(e) });
    }
  }
  throw lastErr;
}

export async function pullImage(
  ctx: DistributionContext,
  o: PullOptions,
  progress: ProgressSink,
): Promise<ImageRecord> {
  const ref = parseReferenceWithDefaultTag(o.ref);
  const refText = ref.digest ?? (ref.tag as string);
  const name = familiarString(ref);
  const { client, img } = await resolveOnEndpoints(ctx, ref.domain, ref.path, refText, o);
  progress({ status: `Pulling from ${ref.path}`, id: refText });
  const sources = new PushState(ctx.stateDir);
  const config = JSON.parse(img.config.toString()) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers = img.parsed.layers.filter((l) => !isNonDistributable(l.mediaType));
  if (layers.length !== diffIds.length) {
    throw new InvalidArgumentError(
      `image ${name} has ${layers.length} layers but its config names ${diffIds.length} diff IDs`,
    );
  }
  const chain = chainIds(diffIds);
  const limiter = new Limiter(ctx.maxConcurrentDownloads);
  const bars = layers.map((l) => new LayerProgress(progress, shortId(l.digest)));
  const present = await Promise.all(layers.map((l) => ctx.content.has(l.digest)));
  for (let i = 0; i < layers.length; i++) bars[i].status(present[i] ? 'Already exists' : 'Pulling fs layer');
  const staged: Array<StagedLayer | undefined> = [];
  const downloads: Array<Promise<void>> = [];
  const sizes: number[] = [];
  try {
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      // a verified blob's digest is the diffID of an uncompressed layer
      staged[i] =
        present[i] || ctx.snapshots.stat(chain[i]) ? undefined : await StagedLayer.start(ctx.snapshots, () => l.digest);
      downloads[i] = present[i]
        ? Promise.resolve()
        : download(ctx, client, ref.path, l, bars[i], limiter, staged[i]).then(() =>
            sources.addSource(l.digest, `${ref.domain}/${ref.path}`),
          );
      downloads[i].catch(() => {});
    }
    for (let i = 0; i < layers.length; i++) {
      await downloads[i];
      sizes.push(
        await unpackLayer(
          ctx,
          chain[i],
          i > 0 ? chain[i - 1] : undefined,
          layers[i],
          diffIds[i],
          present[i] ? undefined : bars[i],
          staged[i],
        ),
      );
    }
  } finally {
    await Promise.allSettled(downloads);
    await Promise.all(staged.map((s) => s?.discard()));
  }
  const before = ctx.images.records.get(await configDigest(ctx, img));
  const tagged = ref.tag ? ctx.images.records.tagTarget(tagKey(ref)) : undefined;
  const inputs: LayerInput[] = layers.map((l, i) => ({
    descriptor: l,
    diffId: diffIds[i],
    uncompressedSize: sizes[i],
  }));
  const rec = await ctx.images.create({
    config: img.config,
    layers: inputs,
    tags: ref.tag ? [`${repositoryName(ref)}:${ref.tag}`] : [],
    manifest: { descriptor: img.descriptor, bytes: img.manifest.bytes },
  });
  ctx.images.addRepoDigest(rec, repositoryName(ref), img.top.digest);
  ctx.events.publish('image', 'pull', name, { name });
  progress({ status: `Digest: ${img.top.digest}` });
  const upToDate = before !== undefined && (!ref.tag || tagged === rec.id);
  progress({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${name}` });
  return rec;
}

async function configDigest(ctx: DistributionContext, img: ResolvedImage): Promise<Digest> {
  return ctx.images.configDigestOf(img.config);
}

function download(
  ctx: DistributionContext,
  client: RegistryClient,
  repo: string,
  layer: Descriptor,
  bar: LayerProgress,
  limiter: Limiter,
  staged: StagedLayer | undefined,
): Promise<void> {
  if (limiter.busy) bar.status('Waiting');
  return limiter.run(async () => {
    let p = inflight.get(layer.digest);
    if (!p) {
      p = fetchBlob(client, repo, layer, ctx.content, {
        onBytes: (cur, total) => bar.bytes('Downloading', cur, total),
        onChunk: staged ? (chunk, offset) => staged.write(chunk, offset) : undefined,
      }).finally(() => inflight.delete(layer.digest));
      inflight.set(layer.digest, p);
      bar.bytes('Downloading', 0, layer.size, true);
    } else {
      staged?.abandon(); // another pull downloads it: unpack from the blob
    }
    try {
      await p;
    } finally {
      staged?.end(layer.size);
    }
    bar.status('Verifying Checksum');
    bar.status('Download complete');
  });
}

/**
 * Commits the layer unpacked while it downloaded, or unpacks it from the
 * stored blob onto its parent, unless its snapshot exists; returns the
 * layer's size.
 */
async function unpackLayer(
  ctx: DistributionContext,
  key: string,
  parent: string | undefined,
  layer: Descriptor,
  diffId: Digest,
  bar: LayerProgress | undefined,
  staged: StagedLayer | undefined,
): Promise<number> {
  const have = ctx.snapshots.stat(key);
  if (have) {
    bar?.status('Pull complete');
    return have.size;
  }
  const info = await staged?.commit(key, parent, layer.digest, diffId);
  if (info) {
    bar?.bytes('Extracting', layer.size, layer.size, true);
    bar?.status('Pull complete');
    return info.size;
  }
  let prep: Awaited<ReturnType<Snapshotter['prepareLayer']>>;
  try {
    prep = await ctx.snapshots.prepareLayer(key, parent);
  } catch (e) {
    const now = ctx.snapshots.stat(key); // another unpack won the race
    if (now) return now.size;
    throw e;
  }
  try {
    const src = ctx.content.readStream(layer.digest).pipe(counting((n) => bar?.bytes('Extracting', n, layer.size)));
    const res = await applyLayer(src, prep.dir);
    if (res.diffId !== diffId) {
      throw new InvalidArgumentError(
        `layer ${layer.digest} does not match its diffID: expected ${diffId}, got ${res.diffId}`,
      );
    }
    await prep.commit(res.diffId, res.size);
    bar?.bytes('Extracting', layer.size, layer.size, true);
    bar?.status('Pull complete');
    return res.size;
  } catch (e) {
    await prep.abort();
    if (!isBerthError(e) && (e as { code?: string }).code?.startsWith('Z_'))
      throw new InvalidArgumentError(`layer ${layer.digest} is not valid compressed data: ${(e as Error).message}`);
    throw e;
  }
}

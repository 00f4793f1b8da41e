/**
 * `docker push`: uploads an image's layers (several at once), its config
 * and its manifest. A layer the registry has is skipped, one another
 * repository of the registry holds is mounted, a layer Berth keeps
 * uncompressed is gzip-compressed on the way out (streamed PATCH, then PUT
 * with the digest computed meanwhile) and the compressed blob is kept, so a
 * second push neither recompresses nor re-uploads it.
 */
import { randomBytes } from 'node:crypto';
import { pipeline, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import {
  type AuthConfig,
  credentialsOf,
  LayerProgress,
  Limiter,
  type ProgressSink,
  PushState,
  RegistryClient,
  shortId,
} from '../../distribution/index.ts';
import { type Digest, Digester } from '../../lib/digest.ts';
import { InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import type { Descriptor, Manifest } from '../../oci/image.ts';
import { isNonDistributable, layerCompression, MediaType } from '../../oci/media-types.ts';
import { parseReference, type Reference, repositoryName } from '../../oci/reference.ts';
import type { DistributionContext } from './pull.ts';
import type { ImageRecord } from './records.ts';

export interface PushOptions {
  /** The repository (with or without a tag): `host:5000/app`, `host:5000/app:1`. */
  name: string;
  /** The tag to push; empty: every tag of the repository. */
  tag?: string;
  auth?: AuthConfig;
}

export interface PushResult {
  tag: string;
  digest: Digest;
  size: number;
}

function isUncompressed(mt: string): boolean {
  return layerCompression(mt) === 'none' && !isNonDistributable(mt);
}

export async function pushImage(
  ctx: DistributionContext,
  o: PushOptions,
  progress: ProgressSink,
): Promise<PushResult[]> {
  const base = parseReference(o.name);
  if (base.digest) throw new InvalidArgumentError('cannot push a digest reference');
  const tag = o.tag || base.tag;
  const repo = repositoryName(base);
  const tags = tag
    ? [tag]
    : [...ctx.images.records.allTags().values()]
        .flat()
        .filter((k) => k.startsWith(`${repo}:`))
        .map((k) => k.slice(repo.length + 1));
  if (tags.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${o.name}`);
  progress({ status: `The push refers to repository [${repo}]` });
  const client = new RegistryClient(ctx.hosts.endpoint(base.domain), credentialsOf(o.auth));
  const out: PushResult[] = [];
  for (const t of tags) {
    const ref: Reference = { ...base, tag: t };
    const rec = ctx.images.find(`${repo}:${t}`);
    if (!rec) throw new NotFoundError(`An image does not exist locally with the tag: ${repo}:${t}`);
    out.push(await pushOne(ctx, client, ref, rec, progress));
  }
  return out;
}

async function pushOne(
  ctx: DistributionContext,
  client: RegistryClient,
  ref: Reference,
  rec: ImageRecord,
  progress: ProgressSink,
): Promise<PushResult> {
  const state = new PushState(ctx.stateDir);
  const manifest = await ctx.images.manifest(rec);
  const cfg = await ctx.images.config(rec.id);
  const diffIds = cfg.rootfs?.diff_ids ?? [];
  const limiter = new Limiter(ctx.maxConcurrentUploads);
  let d = 0;
  const jobs = manifest.layers.map((l) => ({
    layer: l,
    diffId: isNonDistributable(l.mediaType) ? undefined : diffIds[d++],
  }));
  const bars = jobs.map((j) => new LayerProgress(progress, shortId(j.diffId ?? j.layer.digest)));
  for (let i = jobs.length - 1; i >= 0; i--) bars[i].status('Preparing');
  const uploads = jobs.map((j, i) => {
    if (!j.diffId) return Promise.resolve(j.layer);
    if (limiter.busy || i >= ctx.maxConcurrentUploads) bars[i].status('Waiting');
    return limiter.run(() => pushLayer(ctx, client, state, ref, j.layer, j.diffId as Digest, bars[i]));
  });
  const results = await Promise.allSettled(uploads);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const docker = manifest.mediaType === MediaType.DockerManifest;
  const layers = results.map((r) => {
    const l = (r as PromiseFulfilledResult<Descriptor>).value;
    return docker && l.mediaType === MediaType.OciLayerGzip ? { ...l, mediaType: MediaType.DockerLayerGzip } : l;
  });
  const configBytes = await ctx.content.readBytes(rec.id);
  if ((await client.hasBlob(ref.path, rec.id, [`repository:${ref.path}:pull,push`])) === undefined) {
    await client.uploadBlob(ref.path, rec.id, configBytes.length, (start, end) =>
      ctx.content.readStream(rec.id, { start, end }),
    );
  }
  const unchanged = layers.every((l, i) => l.digest === manifest.layers[i].digest);
  let bytes: Buffer;
  let mediaType: string;
  if (unchanged) {
    bytes = await ctx.content.readBytes(rec.manifest.digest);
    mediaType = rec.manifest.mediaType;
  } else {
    mediaType = manifest.mediaType ?? MediaType.OciManifest;
    const m: Manifest = { ...manifest, mediaType, layers };
    bytes = Buffer.from(JSON.stringify(m, null, 3));
  }
  const digest = await client.putManifest(ref.path, ref.tag as string, bytes, mediaType);
  ctx.images.addRepoDigest(rec, repositoryName(ref), digest);
  ctx.events.publish('image', 'push', `${repositoryName(ref)}:${ref.tag}`, {
    name: `${repositoryName(ref)}:${ref.tag}`,
  });
  progress({ status: `${ref.tag}: digest: ${digest} size: ${bytes.length}` });
  progress({ progressDetail: {}, aux: { Tag: ref.tag, Digest: digest, Size: bytes.length } });
  return { tag: ref.tag as string, digest, size: bytes.length };
}

/** Uploads one layer unless the registry has it; returns the descriptor the pushed manifest names. */
async function pushLayer(
  ctx: DistributionContext,
  client: RegistryClient,
  state: PushState,
  ref: Reference,
  layer: Descriptor,
  diffId: Digest,
  bar: LayerProgress,
): Promise<Descriptor> {
  const repo = ref.path;
  const here = `${ref.domain}/${repo}`;
  let desc: Descriptor | undefined = layer;
  if (isUncompressed(layer.mediaType)) {
    const known = await state.compressed(diffId);
    desc = known && (await ctx.content.has(known.digest)) ? known : undefined;
  }
  if (desc) {
    if ((await client.hasBlob(repo, desc.digest, [`repository:${repo}:pull,push`])) !== undefined) {
      bar.status('Layer already exists');
      await state.addSource(desc.digest, here);
      return desc;
    }
    for (const src of await state.sources(desc.digest)) {
      if (!src.startsWith(`${ref.domain}/`) || src === here) continue;
      const from = src.slice(ref.domain.length + 1);
      const r = await client.mount(repo, desc.digest, from).catch(() => undefined);
      if (r?.mounted) {
        bar.status(`Mounted from ${from}`);
        await state.addSource(desc.digest, here);
        return desc;
      }
    }
    const d = desc;
    let sent = 0;
    const counter = () =>
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          sent += chunk.length;
          bar.bytes('Pushing', sent, d.size);
          cb(null, chunk);
        },
      });
    await client.uploadBlob(repo, d.digest, d.size, (start, end) =>
      pipeline(ctx.content.readStream(d.digest, { start, end }), counter(), () => {}),
    );
    bar.status('Pushed');
    await state.addSource(d.digest, here);
    return d;
  }
  const made = await compressAndUpload(ctx, client, repo, layer, bar);
  await state.setCompressed(diffId, made);
  await state.addSource(made.digest, here);
  bar.status('Pushed');
  return made;
}

/** gzip on the fly: the stream goes both to the registry (one PATCH) and into the local store. */
async function compressAndUpload(
  ctx: DistributionContext,
  client: RegistryClient,
  repo: string,
  layer: Descriptor,
  bar: LayerProgress,
): Promise<Descriptor> {
  const upload = await client.openUpload(repo);
  const ref = `push-gzip-${layer.digest}-${randomBytes(4).toString('hex')}`;
  const ingest = await ctx.content.ingest(ref);
  const digester = new Digester();
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      read += chunk.length;
      bar.bytes('Pushing', read, layer.size);
      cb(null, chunk);
    },
  });
  const tee = new Transform({
    transform(chunk: Buffer, _e, cb) {
      digester.update(chunk);
      ingest.write(chunk).then(() => cb(null, chunk), cb);
    },
  });
  try {
    const body = pipeline(
      ctx.content.readStream(layer.digest),
      counter,
      createGzip({ level: 1, chunkSize: 256 * 1024 }),
      tee,
      () => {},
    );
    const next = upload.chunkMin
      ? await client.patchChunks(repo, upload.location, body, upload.chunkMin)
      : await client.patchUpload(repo, upload.location, body);
    const digest = digester.digest();
    await client.finishUpload(repo, next, digest);
    const info = await ingest.commit({ digest, size: digester.size });
    return { mediaType: MediaType.OciLayerGzip, digest: info.digest, size: info.size };
  } catch (e) {
    await ingest.close().catch(() => {});
    await ctx.content.abortIngest(ref).catch(() => {});
    throw e;
  }
}

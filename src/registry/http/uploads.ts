/**
 * Blob push: POST (start, monolithic with ?digest=, mount with ?mount=&from=),
 * PATCH (chunked or streamed), PUT (close, with an optional last chunk),
 * GET (status) and DELETE (cancel) on /v2/<name>/blobs/uploads/<uuid>.
 */
import type { Digest } from '../../lib/digest.ts';
import { RegistryError } from '../errors.ts';
import { checkDigest, checkName } from '../names.ts';
import type { ChunkRange } from '../upload-store.ts';
import { type Ctx, sendEmpty } from './context.ts';

function location(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}

function sessionHeaders(name: string, uuid: string, size: number): Record<string, string> {
  return {
    Location: location(name, uuid),
    Range: `0-${Math.max(size - 1, 0)}`,
    'Docker-Upload-UUID': uuid,
  };
}

function created(ctx: Ctx, digest: Digest): void {
  sendEmpty(ctx.res, 201, { Location: `/v2/${ctx.name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

/** Content-Range of a chunk: `<start>-<end>` (also accepts a `bytes ` prefix). */
function chunkRange(ctx: Ctx): ChunkRange | undefined {
  const h = ctx.req.headers['content-range'];
  if (!h) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(h.trim());
  if (!m) throw new RegistryError('BLOB_UPLOAD_INVALID', 416, `invalid Content-Range "${h}"`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

function contentLength(ctx: Ctx): number | undefined {
  const h = ctx.req.headers['content-length'];
  return h === undefined ? undefined : Number(h);
}

/** True when the request carries a body (Content-Length > 0 or chunked). */
function hasBody(ctx: Ctx): boolean {
  const n = contentLength(ctx);
  return n !== undefined ? n > 0 : ctx.req.headers['transfer-encoding'] !== undefined;
}

export async function startUpload(ctx: Ctx): Promise<void> {
  const { reg, name, query } = ctx;
  if (ctx.proxy) throw new RegistryError('UNSUPPORTED', 405, 'this registry is a pull-through cache: push is disabled');
  const mount = query.get('mount');
  if (mount !== null) {
    const digest = checkDigest(mount);
    const from = query.get('from');
    let size: number | undefined;
    if (from !== null && from !== '') {
      checkName(from);
      if (await ctx.can(from, 'pull')) size = await reg.blobs.sizeInRepo(from, digest);
    } else {
      size = await reg.blobs.size(digest);
    }
    if (size !== undefined) {
      await reg.blobs.link(name, digest);
      created(ctx, digest);
      return;
    }
  }
  const digestParam = query.get('digest');
  if (digestParam !== null) {
    const digest = checkDigest(digestParam);
    const uuid = await reg.uploads.create(name);
    try {
      await reg.uploads.complete(name, uuid, digest, ctx.req, undefined, contentLength(ctx) ?? undefined);
    } catch (e) {
      await reg.uploads.remove(name, uuid).catch(() => {});
      throw e;
    }
    created(ctx, digest);
    return;
  }
  const uuid = await reg.uploads.create(name);
  sendEmpty(ctx.res, 202, sessionHeaders(name, uuid, 0));
}

export async function patchUpload(ctx: Ctx): Promise<void> {
  const { reg, name, param: uuid } = ctx;
  const size = await reg.uploads.append(name, uuid, ctx.req, chunkRange(ctx), contentLength(ctx));
  sendEmpty(ctx.res, 202, sessionHeaders(name, uuid, size));
}

export async function putUpload(ctx: Ctx): Promise<void> {
  const { reg, name, param: uuid, query } = ctx;
  const digestParam = query.get('digest');
  await reg.uploads.size(name, uuid);
  if (digestParam === null) throw new RegistryError('DIGEST_INVALID', 400, 'the digest query parameter is required');
  const digest = checkDigest(digestParam);
  const body = hasBody(ctx) ? ctx.req : undefined;
  await reg.uploads.complete(
    name,
    uuid,
    digest,
    body,
    body ? chunkRange(ctx) : undefined,
    body ? contentLength(ctx) : undefined,
  );
  created(ctx, digest);
}

export async function uploadStatus(ctx: Ctx): Promise<void> {
  const size = await ctx.reg.uploads.size(ctx.name, ctx.param);
  sendEmpty(ctx.res, 204, sessionHeaders(ctx.name, ctx.param, size));
}

export async function cancelUpload(ctx: Ctx): Promise<void> {
  await ctx.reg.uploads.cancel(ctx.name, ctx.param);
  sendEmpty(ctx.res, 204);
}

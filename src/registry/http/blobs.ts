/** GET/HEAD/DELETE /v2/<name>/blobs/<digest>: blob pull with Range, and blob delete. */
import type { ServerResponse } from 'node:http';
import { blobUnknown, RegistryError } from '../errors.ts';
import { checkDigest } from '../names.ts';
import type { ByteRange } from '../storage/driver.ts';
import { type Ctx, sendEmpty } from './context.ts';

/** Parses a single `bytes=` range against a size; undefined = whole; null = unsatisfiable. */
export function parseRange(header: string | undefined, size: number): Required<ByteRange> | undefined | null {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    return { start: Math.max(size - n, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

export async function getBlob(ctx: Ctx, head: boolean): Promise<void> {
  const digest = checkDigest(ctx.param);
  let size = await ctx.reg.blobs.sizeInRepo(ctx.name, digest);
  if (size === undefined && ctx.proxy) {
    if (head) size = await ctx.proxy.blobSize(ctx.name, digest);
    else if (await ctx.proxy.streamBlob(ctx.name, digest, ctx.req, ctx.res)) return;
    else size = await ctx.reg.blobs.sizeInRepo(ctx.name, digest);
  }
  if (size === undefined) throw blobUnknown(digest);
  const range = parseRange(ctx.req.headers.range, size);
  if (range === null) {
    throw new RegistryError('RANGE_INVALID', 416, 'requested range not satisfiable', { size }).withHeaders({
      'Content-Range': `bytes */${size}`,
    });
  }
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000',
  };
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['Content-Length'] = range.end - range.start + 1;
  } else {
    headers['Content-Length'] = size;
  }
  ctx.res.writeHead(range ? 206 : 200, headers);
  if (head) {
    ctx.res.end();
    return;
  }
  const res = ctx.res;
  await ctx.reg.blobs.readChunks(digest, range ?? undefined, (chunk) => written(res, chunk));
  res.end();
}

/** Writes a chunk to the response; settles when the socket is done with it (so its buffer can be reused). */
function written(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const gone = () => reject(new Error('the client closed the connection'));
    if (res.destroyed) return gone();
    res.once('close', gone);
    res.write(chunk, (err) => {
      res.off('close', gone);
      if (err) reject(err);
      else resolve();
    });
  });
}

export async function deleteBlob(ctx: Ctx): Promise<void> {
  const digest = checkDigest(ctx.param);
  if (!(await ctx.reg.blobs.unlink(ctx.name, digest))) throw blobUnknown(digest);
  sendEmpty(ctx.res, 202, { 'Docker-Content-Digest': digest });
}

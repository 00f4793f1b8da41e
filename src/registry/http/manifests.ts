/** GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>. */
import { RegistryError } from '../errors.ts';
import { MAX_MANIFEST_SIZE } from '../manifest.ts';
import { parseManifestRef } from '../names.ts';
import { type Ctx, readBody, sendEmpty } from './context.ts';

export async function getManifest(ctx: Ctx, head: boolean): Promise<void> {
  const ref = parseManifestRef(ctx.param);
  if (ctx.proxy) await ctx.proxy.ensureManifest(ctx.name, ref);
  const m = await ctx.reg.manifests.get(ctx.name, ref);
  ctx.res.writeHead(200, {
    'Content-Type': m.mediaType,
    'Content-Length': m.body.length,
    'Docker-Content-Digest': m.digest,
    ETag: `"${m.digest}"`,
  });
  ctx.res.end(head ? undefined : m.body);
}

export async function putManifest(ctx: Ctx): Promise<void> {
  if (ctx.proxy) throw new RegistryError('UNSUPPORTED', 405, 'this registry is a pull-through cache: push is disabled');
  const ref = parseManifestRef(ctx.param);
  const body = await readBody(
    ctx.req,
    MAX_MANIFEST_SIZE,
    () =>
      new RegistryError('SIZE_INVALID', 413, `manifest larger than ${MAX_MANIFEST_SIZE} bytes`, {
        limit: MAX_MANIFEST_SIZE,
      }),
  );
  const { digest, subject } = await ctx.reg.manifests.put(ctx.name, ref, body, ctx.req.headers['content-type']);
  const headers: Record<string, string> = {
    Location: `/v2/${ctx.name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
  };
  if (subject) headers['OCI-Subject'] = subject;
  sendEmpty(ctx.res, 201, headers);
}

export async function deleteManifest(ctx: Ctx): Promise<void> {
  if (ctx.proxy)
    throw new RegistryError('UNSUPPORTED', 405, 'this registry is a pull-through cache: delete is disabled');
  await ctx.reg.manifests.delete(ctx.name, parseManifestRef(ctx.param));
  sendEmpty(ctx.res, 202);
}

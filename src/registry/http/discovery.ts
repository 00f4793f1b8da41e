/** Content discovery: tags list, catalog and referrers, with `n`/`last` pagination and Link headers. */
import { MediaType } from '../../oci/media-types.ts';
import { checkDigest } from '../names.ts';
import { listRepositories, paginate } from '../repositories.ts';
import { type Ctx, intParam, sendJson } from './context.ts';

function linkHeader(path: string, n: number, last: string): Record<string, string> {
  return { Link: `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"` };
}

export async function listTags(ctx: Ctx): Promise<void> {
  const all = await ctx.reg.manifests.tags(ctx.name);
  const n = intParam(ctx.query, 'n');
  const { page, more } = paginate(all, n, ctx.query.get('last') ?? undefined);
  const headers = more && n ? linkHeader(`/v2/${ctx.name}/tags/list`, n, page[page.length - 1]) : {};
  sendJson(ctx.res, 200, { name: ctx.name, tags: page }, headers);
}

export async function catalog(ctx: Ctx): Promise<void> {
  const all = await listRepositories(ctx.reg.driver);
  const n = intParam(ctx.query, 'n');
  const { page, more } = paginate(all, n, ctx.query.get('last') ?? undefined);
  const headers = more && n ? linkHeader('/v2/_catalog', n, page[page.length - 1]) : {};
  sendJson(ctx.res, 200, { repositories: page }, headers);
}

export async function referrers(ctx: Ctx): Promise<void> {
  const subject = checkDigest(ctx.param);
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  const manifests = await ctx.reg.manifests.referrers(ctx.name, subject, artifactType);
  const headers: Record<string, string> = {};
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  const body = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests };
  const text = JSON.stringify(body);
  ctx.res.writeHead(200, { 'Content-Type': MediaType.OciIndex, 'Content-Length': Buffer.byteLength(text), ...headers });
  ctx.res.end(text);
}

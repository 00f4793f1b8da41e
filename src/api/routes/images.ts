/** Image routes: list, inspect, history, tag, remove, prune; import, load and save load on first use. */
import type { Engine } from '../../engine/engine.ts';
import { parseFilters } from '../../engine/filters.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { qBool, sendJson, sendJsonText } from '../http.ts';
import type { Router } from '../router.ts';

const transfer = () => import('./image-transfer.ts');

export function imageRoutes(r: Router, engine: Engine): void {
  const images = engine.images;
  r.get('/images/json', async ({ res, query }) => {
    const filters = parseFilters(query.get('filters'), ['dangling', 'label', 'reference', 'before', 'since', 'until']);
    const f = query.get('filter');
    if (f) filters.set('reference', [f]);
    // Without filters (`docker images`): the listing's cached JSON, as is.
    if (filters.size === 0) sendJsonText(res, 200, await images.listJson());
    else sendJson(res, 200, await images.list(filters));
  });
  r.post('/images/create', async (ctx) => (await transfer()).createImage(engine, ctx));
  r.post('/images/load', async (ctx) => (await transfer()).load(engine, ctx));
  r.get('/images/get', async (ctx) => (await transfer()).save(engine, ctx, ctx.query.getAll('names')));
  r.post('/images/prune', async ({ res, query }) => {
    const out = await images.prune(parseFilters(query.get('filters'), ['dangling', 'label', 'until']));
    await engine.gc();
    sendJson(res, 200, out);
  });
  r.get('/images/{name:.*}/json', async ({ res, params }) => sendJson(res, 200, await images.inspect(params.name)));
  r.get('/images/{name:.*}/history', async ({ res, params }) => sendJson(res, 200, await images.history(params.name)));
  r.get('/images/{name:.*}/get', async (ctx) => (await transfer()).save(engine, ctx, [ctx.params.name]));
  r.post('/images/{name:.*}/tag', ({ res, params, query }) => {
    const repo = query.get('repo');
    if (!repo) throw new InvalidArgumentError('repository name (repo) is required to tag an image');
    images.tag(params.name, repo, query.get('tag') || undefined);
    res.writeHead(201);
    res.end();
  });
  r.delete('/images/{name:.*}', async ({ res, params, query }) => {
    const out = images.remove(params.name, { force: qBool(query, 'force'), noPrune: qBool(query, 'noprune') });
    if (out.some((d) => 'Deleted' in d)) await engine.gc();
    sendJson(res, 200, out);
  });
}

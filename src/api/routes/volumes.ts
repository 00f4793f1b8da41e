/** Volume routes: create, list, inspect, remove, prune. */
import type { Engine } from '../../engine/engine.ts';
import { parseFilters } from '../../engine/filters.ts';
import type { VolumeCreateRequest } from '../../wire/volumes.ts';
import { qBool, readJson, sendJson, sendNoContent } from '../http.ts';
import type { Router } from '../router.ts';

export function volumeRoutes(r: Router, engine: Engine): void {
  const vols = engine.volumes;
  r.get('/volumes', ({ res, query }) => {
    const f = parseFilters(query.get('filters'), ['dangling', 'label', 'name', 'driver']);
    sendJson(res, 200, { Volumes: vols.list(f), Warnings: [] });
  });
  r.post('/volumes/create', async ({ req, res }) => {
    sendJson(res, 201, vols.create(await readJson<VolumeCreateRequest>(req)));
  });
  r.post('/volumes/prune', ({ res, query }) => {
    sendJson(res, 200, vols.prune(parseFilters(query.get('filters'), ['label', 'all'])));
  });
  r.get('/volumes/{name}', ({ res, params }) => sendJson(res, 200, vols.get(params.name)));
  r.delete('/volumes/{name}', ({ res, params, query }) => {
    vols.remove(params.name, qBool(query, 'force'));
    sendNoContent(res);
  });
}

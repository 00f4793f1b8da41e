/** Network routes: create, list, inspect, remove, prune, connect, disconnect. */
import type { Engine } from '../../engine/engine.ts';
import { parseFilters } from '../../engine/filters.ts';
import type { NetworkCreateRequest } from '../../engine/networks/index.ts';
import { readJson, sendJson, sendNoContent } from '../http.ts';
import type { Router } from '../router.ts';

interface ConnectRequest {
  Container: string;
  EndpointConfig?: { IPAMConfig?: { IPv4Address?: string }; Aliases?: string[]; Links?: string[] };
  Force?: boolean;
}

export function networkRoutes(r: Router, engine: Engine): void {
  const nets = engine.networks;
  r.get('/networks', ({ res, query }) => {
    const f = parseFilters(query.get('filters'), ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
    sendJson(res, 200, nets.list(f));
  });
  r.post('/networks/create', async ({ req, res }) => {
    sendJson(res, 201, await nets.create(await readJson<NetworkCreateRequest>(req)));
  });
  r.post('/networks/prune', async ({ res, query }) => {
    sendJson(res, 200, await nets.prune(parseFilters(query.get('filters'), ['label', 'until'])));
  });
  r.get('/networks/{id}', ({ res, params }) => sendJson(res, 200, nets.inspect(params.id)));
  r.delete('/networks/{id}', async ({ res, params }) => {
    await nets.remove(params.id);
    sendNoContent(res);
  });
  r.post('/networks/{id}/connect', async ({ req, res, params }) => {
    const body = await readJson<ConnectRequest>(req);
    await engine.networking.connect(params.id, body.Container, body.EndpointConfig);
    sendNoContent(res, 200);
  });
  r.post('/networks/{id}/disconnect', async ({ req, res, params }) => {
    const body = await readJson<ConnectRequest>(req);
    await engine.networking.disconnect(params.id, body.Container);
    sendNoContent(res, 200);
  });
}

/** Container lifecycle routes: create, list, inspect, start, stop, kill, restart, pause, rename, remove, prune. */

import { inspectView, matchesFilters, summaryView } from '../../engine/containers/view.ts';
import type { Engine } from '../../engine/engine.ts';
import { parseFilters } from '../../engine/filters.ts';
import type { ContainerCreateRequest } from '../../wire/containers.ts';
import { qBool, qInt, readJson, sendJson, sendNoContent } from '../http.ts';
import type { Router } from '../router.ts';

const LIST_FILTERS = [
  'status',
  'label',
  'name',
  'id',
  'ancestor',
  'exited',
  'health',
  'before',
  'since',
  'volume',
  'network',
  'isolation',
  'publish',
  'expose',
  'is-task',
];

export function containerRoutes(r: Router, engine: Engine): void {
  const svc = engine.containers;
  r.post('/containers/create', async ({ req, res, query }) => {
    const body = await readJson<ContainerCreateRequest>(req);
    sendJson(res, 201, await svc.create(body, query.get('name') || undefined));
  });
  r.get('/containers/json', ({ res, query }) => {
    const f = parseFilters(query.get('filters'), LIST_FILTERS);
    const limit = qInt(query, 'limit');
    // -n N shows the last N created in any state, as Docker's does.
    const all = qBool(query, 'all') || f.has('status') || f.has('exited') || (limit !== undefined && limit > 0);
    let list = svc.records.all().sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    const before = f.get('before')?.map((x) => svc.get(x));
    const since = f.get('since')?.map((x) => svc.get(x));
    if (before) list = list.filter((c) => before.every((b) => Date.parse(c.Created) < Date.parse(b.Created)));
    if (since) list = list.filter((c) => since.every((s) => Date.parse(c.Created) > Date.parse(s.Created)));
    const resolve = (ref: string) => engine.images.find(ref)?.id;
    list = list.filter((c) => (all || c.State.Running || c.State.Restarting) && matchesFilters(c, f, resolve));
    if (limit !== undefined && limit > 0) list = list.slice(0, limit);
    sendJson(
      res,
      200,
      list.map((c) => {
        const s = summaryView(c, c.Config.Image);
        if (!qBool(query, 'size')) return s;
        return { ...s, ...engine.filesystems.sizes(c, engine.images.records.get(c.Image)?.size ?? 0) };
      }),
    );
  });
  r.get('/containers/{id}/json', ({ res, params }) => {
    const rec = svc.get(params.id);
    sendJson(res, 200, inspectView(rec, svc.paths(rec.Id)));
  });
  r.post('/containers/{id}/start', async ({ res, params }) => {
    await svc.start(params.id);
    sendNoContent(res);
  });
  r.post('/containers/{id}/stop', async ({ res, params, query }) => {
    await svc.stop(params.id, { signal: query.get('signal') ?? undefined, timeout: qInt(query, 't') });
    sendNoContent(res);
  });
  r.post('/containers/{id}/restart', async ({ res, params, query }) => {
    await svc.restart(params.id, { signal: query.get('signal') ?? undefined, timeout: qInt(query, 't') });
    sendNoContent(res);
  });
  r.post('/containers/{id}/kill', async ({ res, params, query }) => {
    await svc.kill(params.id, query.get('signal') ?? undefined);
    sendNoContent(res);
  });
  r.post('/containers/{id}/pause', async ({ res, params }) => {
    await svc.pause(params.id);
    sendNoContent(res);
  });
  r.post('/containers/{id}/unpause', async ({ res, params }) => {
    await svc.unpause(params.id);
    sendNoContent(res);
  });
  r.post('/containers/{id}/rename', ({ res, params, query }) => {
    svc.rename(params.id, query.get('name') ?? '');
    sendNoContent(res);
  });
  r.delete('/containers/{id}', async ({ res, params, query }) => {
    await svc.remove(params.id, { force: qBool(query, 'force'), volumes: qBool(query, 'v') });
    sendNoContent(res);
  });
  r.post('/containers/prune', async ({ res, query }) => {
    const f = parseFilters(query.get('filters'), ['label', 'until']);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of svc.records.all()) {
      if (c.State.Running || c.State.Paused || c.State.Restarting) continue;
      if (!matchesFilters(c, new Map([...f].filter(([k]) => k === 'label')), () => undefined)) continue;
      const until = f.get('until')?.[0];
      if (until && Date.parse(c.Created) >= untilMs(until)) continue;
      reclaimed += engine.filesystems.sizes(c, 0).SizeRw;
      await svc.remove(c.Id);
      deleted.push(c.Id);
    }
    await engine.gc();
    sendJson(res, 200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed });
  });
}

function untilMs(s: string): number {
  const d = /^(\d+)(s|m|h)$/.exec(s);
  if (d) return Date.now() - Number(d[1]) * { s: 1e3, m: 6e4, h: 3.6e6 }[d[2] as 's' | 'm' | 'h'];
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  return Date.parse(s);
}

/** System routes: /info, /events, /system/df (/_ping and /version: ping.ts). */
import type { Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import { type Filters, matchLabels, parseFilters } from '../../engine/filters.ts';
import { JsonStream, sendJson } from '../http.ts';
import type { Router } from '../router.ts';

export function systemRoutes(r: Router, engine: Engine): void {
  r.get('/info', async ({ res }) => sendJson(res, 200, await engine.info()));
  r.get('/system/df', async ({ res }) => sendJson(res, 200, await engine.diskUsage()));
  r.get('/events', ({ req, res, query }) => streamEvents(engine, req, res, query));
}

function parseTime(s: string | null): number | undefined {
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1e9;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t * 1e6 : undefined;
}

function matches(f: Filters, e: EngineEvent): boolean {
  const has = (k: string, v: string | undefined) =>
    !f.has(k) || (v !== undefined && (f.get(k) as string[]).includes(v));
  const id = e.Actor.ID;
  const name = e.Actor.Attributes.name;
  const byIdOrName = (k: string) => !f.has(k) || (f.get(k) as string[]).some((v) => v === name || id.startsWith(v));
  return (
    has('type', e.Type) &&
    (has('event', e.Action) || has('event', e.Action.split(':')[0])) &&
    (e.Type !== 'container' || byIdOrName('container')) &&
    (!f.has('container') || e.Type === 'container') &&
    (!f.has('image') ||
      (f.get('image') as string[]).some((v) => e.Actor.Attributes.image === v || name === v || id === v)) &&
    (e.Type !== 'network' || byIdOrName('network')) &&
    (e.Type !== 'volume' || byIdOrName('volume')) &&
    matchLabels(f, e.Actor.Attributes)
  );
}

function streamEvents(
  engine: Engine,
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  q: URLSearchParams,
): void {
  const filters = parseFilters(q.get('filters'));
  const since = parseTime(q.get('since'));
  const until = parseTime(q.get('until'));
  const out = new JsonStream(res);
  out.begin();
  const send = (e: EngineEvent) => {
    if (until !== undefined && e.timeNano > until) return;
    if (matches(filters, e)) out.write(e);
  };
  if (since !== undefined) for (const e of engine.events.history(since)) send(e);
  if (until !== undefined && until <= Date.now() * 1e6) {
    out.end();
    return;
  }
  const unsubscribe = engine.events.subscribe(send);
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!out.closed) out.end();
  };
  if (until !== undefined) timer = setTimeout(stop, until / 1e6 - Date.now());
  req.socket.on('close', stop);
}

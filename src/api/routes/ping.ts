/**
 * The routes a daemon answers before its engine is open: /_ping and
 * /version (a starting berthd listens first; see src/daemon/main.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildVersion } from '../../engine/system/info.ts';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../../lib/version.ts';
import { sendJson } from '../http.ts';
import type { Router } from '../router.ts';

function ping(ctx: { res: ServerResponse; req: IncomingMessage }): void {
  ctx.res.writeHead(200, {
    'Api-Version': API_VERSION,
    Ostype: 'linux',
    'Builder-Version': '1',
    'Docker-Experimental': 'false',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': 2,
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

export function bootRoutes(r: Router): void {
  r.get('/_ping', ping);
  r.head('/_ping', ping);
  r.get('/version', ({ res }) => sendJson(res, 200, buildVersion(BERTH_VERSION, API_VERSION, MIN_API_VERSION)));
}

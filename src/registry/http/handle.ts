/**
 * One request from start to end: the operational endpoints (/healthz,
 * /metrics, /auth/token), then route → authorisation → handler; errors become
 * the spec's JSON body in one place; every request is counted and logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.ts';
import type { Authenticator, Scope } from '../auth/authenticator.ts';
import { type IssuerSettings, issueToken } from '../auth/token-issuer.ts';
import { errorBody, RegistryError, toRegistryError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { ProxyCache } from '../proxy.ts';
import type { Registry } from '../registry.ts';
import { type Ctx, sendJson } from './context.ts';
import { type Match, matchRoute } from './router.ts';

export interface HandlerDeps {
  reg: Registry;
  auth: Authenticator;
  issuer?: IssuerSettings;
  proxy?: ProxyCache;
  metrics: Metrics;
  log: Logger;
  accessLog: boolean;
}

function scopeOf(m: Match): Scope | undefined {
  if (!m.access) return undefined;
  if (m.access.type === 'registry') return { type: 'registry', name: 'catalog', actions: ['*'] };
  return { type: 'repository', name: m.name, actions: m.access.actions };
}

/** Lets an unread request body finish (or the client go away) before an error answer. */
function drained(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.resume();
  });
}

export function createHandler(d: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const t0 = performance.now();
    const sock = req.socket;
    const inBefore = sock.bytesRead;
    const outBefore = sock.bytesWritten;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const info: { route: string; user?: string; name?: string } = { route: 'unknown' };
    res.once('finish', () => {
      const seconds = (performance.now() - t0) / 1000;
      d.metrics.observe(req.method ?? '', info.route, res.statusCode, seconds);
      d.metrics.bytesIn += Math.max(sock.bytesRead - inBefore, 0);
      d.metrics.bytesOut += Math.max(sock.bytesWritten - outBefore, 0);
      if (d.accessLog) {
        d.log.info('request', {
          method: req.method,
          path,
          status: res.statusCode,
          route: info.route,
          repository: info.name,
          user: info.user,
          remote: sock.remoteAddress,
          durationMs: Math.round(seconds * 1e4) / 10,
          userAgent: req.headers['user-agent'],
        });
      }
    });
    serve(d, req, res, path, query, info).catch(async (e) => {
      const err = toRegistryError(e);
      if (err.status >= 500) d.log.error('request failed', { path, error: (err as { cause?: Error }).cause ?? err });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      await drained(req);
      if (res.destroyed) return;
      const body = req.method === 'HEAD' ? '' : errorBody(err);
      res.writeHead(err.status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        ...err.headers,
      });
      res.end(body);
    });
  };
}

async function serve(
  d: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  info: { route: string; user?: string; name?: string },
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/healthz') {
    info.route = 'healthz';
    await d.reg.driver.stat('repositories');
    return sendJson(res, 200, { status: 'ok' });
  }
  if (path === '/metrics') {
    info.route = 'metrics';
    const text = d.metrics.render();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  if (path === '/auth/token' && d.issuer) {
    info.route = 'token';
    return sendJson(res, 200, await issueToken(req, query, d.issuer));
  }
  const m = matchRoute(method, path);
  if (!m) throw new RegistryError('UNSUPPORTED', 404, 'not found');
  info.route = m.route;
  if (m.name) info.name = m.name;
  const caller = await d.auth.authorize(req, scopeOf(m));
  info.user = caller.user;
  const ctx: Ctx = {
    req,
    res,
    reg: d.reg,
    name: m.name,
    param: m.param,
    query,
    proxy: d.proxy,
    route: m.route,
    user: caller.user,
    can: async (name, action) => caller.can(name, action),
  };
  if (method === 'GET' || method === 'HEAD') res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
  await m.handler(ctx);
}

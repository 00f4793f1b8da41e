/**
 * The Engine API over HTTP: strips the `/v1.NN` prefix (checking the
 * version), routes the request, and maps thrown errors to Docker's
 * `{"message": …}` bodies with their status codes.
 */
import type { ServerResponse as HttpResponse, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { API_VERSION, compareVersions, MIN_API_VERSION } from '../lib/version.ts';
import { statusOf } from './errors.ts';
import { sendJson } from './http.ts';
import type { Router } from './router.ts';

/** An upgraded request: its body was read off the socket by the server. */
// node:http through getBuiltinModule (an ES import of it loads undici and TLS: slow start).
const { createServer, ServerResponse } = process.getBuiltinModule('node:http') as typeof import('node:http');

export interface UpgradeRequest extends IncomingMessage {
  berthUpgrade?: boolean;
  berthBody?: Buffer;
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

export function createApiServer(router: Router, log: Logger): Server {
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    void handle(router, log, req, res);
  });
  // Docker clients send `Connection: Upgrade` for attach/exec; Node reports those as 'upgrade'.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgrade request's body on the socket: take Content-Length
    // bytes off it first, so that they are the body and not the stream's first bytes.
    const length = Number(req.headers['content-length'] ?? 0);
    let buf = head;
    const dispatch = () => {
      socket.off('data', onData);
      socket.pause();
      const rest = buf.subarray(length);
      if (rest.length > 0) socket.unshift(rest);
      const r = req as UpgradeRequest;
      r.berthUpgrade = true;
      r.berthBody = buf.subarray(0, length);
      const res = new ServerResponse(req);
      res.assignSocket(socket as never);
      void handle(router, log, req, res);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= length) dispatch();
    };
    if (buf.length >= length) dispatch();
    else socket.on('data', onData);
  });
  return server;
}

async function handle(router: Router, log: Logger, req: IncomingMessage, res: HttpResponse): Promise<void> {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://berth');
  let path = url.pathname;
  let version = API_VERSION;
  const m = VERSION_PREFIX.exec(path);
  if (m) {
    version = m[1];
    path = m[2];
    if (compareVersions(version, API_VERSION) > 0) {
      return sendJson(res, 400, {
        message: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
      });
    }
    if (compareVersions(version, MIN_API_VERSION) < 0) {
      return sendJson(res, 400, {
        message: `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
      });
    }
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const method = req.method ?? 'GET';
  let found = router.match(method, path);
  if (typeof found !== 'object') found = await router.find(method, path);
  if (found === undefined) return sendJson(res, 404, { message: 'page not found' });
  if (found === 'method') return sendJson(res, 405, { message: `method ${method} not allowed on ${path}` });
  let hijacked = false;
  const hijack = (): Duplex => {
    hijacked = true;
    const socket = req.socket;
    const upgrade = (req as UpgradeRequest).berthUpgrade || /upgrade/i.test(req.headers.connection ?? '');
    res.detachSocket(socket);
    const head = upgrade
      ? 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n';
    socket.write(head);
    // Paused until the handler has its stdin listener in place: no byte is lost meanwhile.
    socket.pause();
    // A client that goes away mid-stream (EPIPE, ECONNRESET) must not take the daemon down.
    socket.on('error', (e) => log.debug('hijacked stream error', { path, error: e }));
    return socket;
  };
  try {
    await found.handler({ req, res, params: found.params, query: url.searchParams, version, hijack });
  } catch (e) {
    const status = statusOf(e);
    if (status >= 500) log.error('request failed', { method, path, error: e, stack: (e as Error)?.stack });
    else log.debug('request refused', { method, path, status, error: errorMessage(e) });
    if (hijacked) {
      req.socket.end();
    } else if (!res.headersSent) {
      sendJson(res, status, { message: errorMessage(e) });
    } else {
      res.end();
    }
  }
  log.debug('request', {
    method,
    path: url.pathname,
    status: res.statusCode,
    ms: Math.round(performance.now() - started),
  });
}

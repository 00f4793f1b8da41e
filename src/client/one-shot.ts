/**
 * One request and its whole answer on a fresh connection, over node:net
 * rather than node:http: loading node:http's client costs about 25 ms of CPU,
 * a quarter of a cold CLI start, and a JSON call needs none of it. HTTP/1.1
 * with `Connection: close`; the body is chunked, sized or runs to the close.
 *
 * A command that makes a single call can go further (oneShotBlocking): on a
 * unix socket the native helper sends the request and reads the answer in
 * one blocking call, so the process never loads node:net (~5 ms of a cold start).
 */
import type { Socket } from 'node:net';
import { loadAddon } from '../lib/addon.ts';

export interface Target {
  socketPath?: string;
  hostname?: string;
  port?: number;
}

export interface OneShotResponse {
  status: number;
  body: Buffer;
}

const net = () => process.getBuiltinModule('node:net') as typeof import('node:net');

export function oneShot(
  target: Target,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: Buffer,
): Promise<OneShotResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = target.socketPath
      ? net().connect(target.socketPath)
      : net().connect(target.port ?? 80, target.hostname?.replace(/^\[|\]$/g, ''));
    socket.write(requestHead(target, method, path, headers, payload));
    if (payload) socket.write(payload);
    const chunks: Buffer[] = [];
    let failed = false;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      failed = true;
      reject(e);
    });
    // 'close' comes after the daemon's close or any error: the answer is whole, or parseResponse says it is not.
    socket.on('close', () => {
      if (failed) return;
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function requestHead(
  target: Target,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: Buffer,
): string {
  const host = target.socketPath ? 'localhost' : `${target.hostname}:${target.port}`;
  const length = payload ? { 'Content-Length': String(payload.length) } : {};
  const head = Object.entries({ Host: host, ...headers, ...length, Connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n`;
}

interface BlockingTransport {
  unixRequest(path: string, request: Buffer, timeoutMs: number): Buffer;
}

/** How long a blocking call waits for the daemon's next bytes. */
const BLOCKING_TIMEOUT_MS = 120_000;

/**
 * The same exchange as oneShot, blocking the process until the answer is
 * whole: only for a process with nothing else to do meanwhile. Undefined
 * where it cannot be done so (tcp, or no native helper): use oneShot.
 */
export function oneShotBlocking(
  target: Target,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: Buffer,
): OneShotResponse | undefined {
  if (!target.socketPath) return undefined;
  let addon: BlockingTransport;
  try {
    addon = loadAddon<BlockingTransport>('berth_sys', 'the native helper');
  } catch {
    return undefined;
  }
  const head = Buffer.from(requestHead(target, method, path, headers, payload));
  const raw = addon.unixRequest(
    target.socketPath,
    payload ? Buffer.concat([head, payload]) : head,
    BLOCKING_TIMEOUT_MS,
  );
  return parseResponse(raw);
}

/** A complete HTTP/1.1 response: status line, headers, body. */
export function parseResponse(raw: Buffer): OneShotResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('the daemon closed the connection before a complete answer');
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP answer: ${statusLine.slice(0, 80)}`);
  const headers = new Map(
    lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) body = dechunk(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status: Number(m[1]), body };
}

function dechunk(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) throw new Error('truncated chunked body');
    const size = Number.parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size in the daemon’s answer');
    if (size === 0) return Buffer.concat(parts);
    if (eol + 2 + size > b.length) throw new Error('truncated chunked body');
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

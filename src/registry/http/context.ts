/** What a handler gets: the request, the response, the registry and the parsed route. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyCache } from '../proxy.ts';
import type { Registry } from '../registry.ts';

export type Action = 'pull' | 'push' | 'delete';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  reg: Registry;
  /** Repository name ('' for routes without one). */
  name: string;
  /** The route's parameter after the name (reference, digest or upload id). */
  param: string;
  query: URLSearchParams;
  proxy?: ProxyCache;
  /** Whether the caller may do `action` on another repository (cross-repository mount). */
  can(name: string, action: Action): Promise<boolean>;
  /** Filled in for the access log and metrics. */
  route: string;
  user?: string;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/** Reads a whole (small) body, refusing more than `max` bytes. */
export async function readBody(req: IncomingMessage, max: number, onTooLarge: () => Error): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) throw onTooLarge();
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw onTooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A non-negative integer query parameter, or undefined. */
export function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

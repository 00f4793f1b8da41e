/** Request and response helpers for the Engine API handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../lib/errors.ts';

const MAX_JSON_BODY = 16 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const pre = (req as IncomingMessage & { berthBody?: Buffer }).berthBody;
  if (pre) return pre;
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new InvalidArgumentError(`request body larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON body, or `{}` when empty. Invalid JSON is a 400. */
export async function readJson<T = Record<string, unknown>>(req: IncomingMessage): Promise<T> {
  const body = await readBody(req);
  if (body.length === 0) return {} as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (e) {
    throw new InvalidArgumentError(`invalid JSON body: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** A body that is JSON text already. */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendNoContent(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

/** Docker's boolean query values: 1/true/True are true, 0/false/"" false. */
export function qBool(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  const s = v.toLowerCase();
  return !(s === '' || s === '0' || s === 'false' || s === 'no');
}

export function qInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
  return n;
}

/** A newline-delimited JSON stream response (progress, events, stats). */
export class JsonStream {
  private res: ServerResponse;
  private started = false;
  constructor(res: ServerResponse) {
    this.res = res;
  }
  /** Sends the headers now (a client waits for them before it reads). */
  begin(): void {
    if (!this.started) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.res.flushHeaders();
      this.started = true;
    }
  }
  write(obj: unknown): void {
    this.begin();
    this.res.write(`${JSON.stringify(obj)}\r\n`);
  }
  /** An error after the stream began: an errorDetail line, as Docker sends it. */
  error(message: string): void {
    this.write({ errorDetail: { message }, error: message });
  }
  end(): void {
    this.begin();
    this.res.end();
  }
  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }
}

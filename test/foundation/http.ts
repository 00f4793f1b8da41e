/** A raw HTTP request to a daemon's unix socket, for checks below the CLIs. */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(socketPath: string, method: string, path: string, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body ? { 'Content-Length': body.length } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The `message` of a Docker error body, or fails. */
export function errorMessageOf(r: RawResponse): string {
  const j = JSON.parse(r.body) as { message?: unknown };
  if (typeof j.message !== 'string') throw new Error(`not a Docker error body: ${r.body}`);
  return j.message;
}

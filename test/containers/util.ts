/**
 * Helpers for the container tests (issue 3): async docker calls that assert
 * success, polling instead of sleeping, inspect as JSON, raw API requests,
 * and a tiny busybox image whose config (Entrypoint, Cmd, Env…) we choose.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeTar } from '../../src/store/test-tar.ts';
import { dockerCli, type RunOptions, type RunResult, type TestDaemon } from '../helpers/daemon.ts';

export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** Runs docker asynchronously and asserts exit 0; returns stdout. */
export async function ok(d: TestDaemon, args: string[], o: RunOptions = {}): Promise<string> {
  const r = await d.dockerAsync(args, { timeoutMs: 60_000, ...o });
  assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs docker asynchronously (default timeout 60 s). */
export function dk(d: TestDaemon, args: string[], o: RunOptions = {}): Promise<RunResult> {
  return d.dockerAsync(args, { timeoutMs: 60_000, ...o });
}

/** Polls `fn` until it returns something truthy; fails with `what` after the timeout. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: inspect output is checked field by field
export type Json = any;

/** `docker inspect NAME` parsed: the one object. */
export async function inspect(d: TestDaemon, name: string): Promise<Json> {
  const out = await ok(d, ['inspect', '--type', 'container', name]);
  const arr = JSON.parse(out) as Json[];
  assert.equal(arr.length, 1);
  return arr[0];
}

/** `docker inspect -f FORMAT NAME`, trimmed. */
export async function field(d: TestDaemon, name: string, format: string): Promise<string> {
  return (await ok(d, ['inspect', '--type', 'container', '-f', format, name])).trim();
}

/** Waits until the container's State.Status is `status`. */
export function untilStatus(d: TestDaemon, name: string, status: string, timeoutMs = 15_000): Promise<boolean> {
  return until(
    `${name} to be ${status}`,
    async () => (await dk(d, ['inspect', '-f', '{{.State.Status}}', name])).stdout.trim() === status,
    timeoutMs,
  );
}

export interface ApiResponse {
  status: number;
  body: string;
  json(): Json;
}

/** A raw Engine API request (JSON body) on the daemon's socket. */
export function api(d: TestDaemon, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: d.socket,
        method,
        path,
        headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {},
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A one-layer image holding the host's static busybox with a few applets, as a tar for `docker import`. */
export function busyboxRootfsTar(): Promise<Buffer> {
  const bin = readFileSync('/bin/busybox');
  const applets = ['sh', 'echo', 'env', 'pwd', 'id', 'cat', 'true', 'sleep'];
  return makeTar([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', content: bin, mode: 0o755 },
    ...applets.map((a) => ({ name: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox' })),
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' },
    { name: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'srv/', type: 'directory', mode: 0o755 },
  ]);
}

/** Imports `busyboxRootfsTar()` as `tag` with the given Dockerfile-style changes. */
export async function importImage(d: TestDaemon, tag: string, changes: string[]): Promise<void> {
  const tar = await busyboxRootfsTar();
  await ok(d, ['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], { input: tar });
}

export interface DockerStream {
  proc: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with the exit code (or -signal) when the CLI ends. */
  exited: Promise<number>;
  /** Waits until stdout matches. */
  waitOut(re: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts a docker CLI command and streams its output (for `logs -f`, `events`, `attach`). */
export function dockerStream(d: TestDaemon, args: string[]): DockerStream {
  const proc = spawn(dockerCli(), args, {
    env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c) => (out += c));
  proc.stderr?.on('data', (c) => (err += c));
  const exited = new Promise<number>((r) => proc.on('close', (code, sig) => r(code ?? -(sig ? 1 : 0))));
  return {
    proc,
    out: () => out,
    err: () => err,
    exited,
    waitOut: async (re, timeoutMs = 15_000) => {
      await until(`docker ${args.join(' ')} to print ${re}`, () => re.test(out), timeoutMs);
    },
  };
}

/** Keeps the daemon's log of a test file in /tmp/berth-test-logs/NAME.log (for reading failures). */
export function saveLog(d: TestDaemon | undefined, name: string): void {
  if (!d) return;
  mkdirSync('/tmp/berth-test-logs', { recursive: true });
  writeFileSync(`/tmp/berth-test-logs/${name}.log`, d.log());
}

/** Helpers for the build tests: contexts on disk, berth build, inspect. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, type RunResult, runAsync, type TestDaemon } from '../helpers/daemon.ts';

/** Makes a context directory with the given files (path → content). */
export function makeContext(files: Record<string, string | Buffer>): {
  dir: string;
  write: (p: string, c: string | Buffer) => void;
  remove: () => void;
} {
  const dir = mkdtempSync('/tmp/berth-build-ctx-');
  const write = (p: string, c: string | Buffer) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  };
  for (const [p, c] of Object.entries(files)) write(p, c);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function berthAsync(d: TestDaemon, args: string[], input?: Buffer): Promise<RunResult> {
  return runAsync(
    join(ROOT, 'bin/berth'),
    args,
    { BERTH_HOST: d.host, DOCKER_HOST: d.host },
    { input, timeoutMs: 180_000 },
  );
}

/** berth build …, asserting success; returns stdout. */
export async function build(d: TestDaemon, args: string[]): Promise<string> {
  const r = await berthAsync(d, ['build', ...args]);
  assert.equal(r.code, 0, `berth build ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function builtId(out: string): string {
  const m = /Successfully built ([0-9a-f]{12})/.exec(out);
  assert.ok(m, `no "Successfully built" in:\n${out}`);
  return m[1];
}

/** The step texts that were (or were not) taken from the cache. */
export function cachedSteps(out: string): { cached: string[]; rebuilt: string[] } {
  const cached: string[] = [];
  const rebuilt: string[] = [];
  const parts = out.split(/^Step \d+\/\d+ : /m).slice(1);
  for (const p of parts) {
    const name = p.split('\n')[0];
    if (name.startsWith('FROM ')) continue;
    (p.includes(' ---> Using cache') ? cached : rebuilt).push(name);
  }
  return { cached, rebuilt };
}

export async function inspect(d: TestDaemon, ref: string): Promise<Record<string, any>> {
  const r = await d.dockerAsync(['image', 'inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

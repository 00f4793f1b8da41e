/**
 * Helpers for the compose integration tests: a project directory with the
 * files given, `berth compose` against the test daemon, inspect as JSON.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type RunResult, type TestDaemon } from '../helpers/daemon.ts';

export function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync('/tmp/berth-compose-it-');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

/** Runs `berth compose` in `dir` (cwd), asserting exit 0; returns stdout. */
export async function composeOk(d: TestDaemon, dir: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await composeIn(d, dir, args, timeoutMs);
  assert.equal(r.code, 0, `berth compose ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

export function composeIn(d: TestDaemon, dir: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    {
      const p = spawn(join(ROOT, 'bin/berth'), ['compose', ...args], {
        cwd: dir,
        env: { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host, COMPOSE_PROJECT_NAME: '', COMPOSE_FILE: '' },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      p.stdout.on('data', (x) => out.push(x));
      p.stderr.on('data', (x) => err.push(x));
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
      p.stdin.end();
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: inspect output is checked field by field
export type Json = any;

export async function inspectAll(d: TestDaemon, ids: string[]): Promise<Json[]> {
  if (!ids.length) return [];
  const r = await d.dockerAsync(['inspect', '--type', 'container', ...ids]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** IDs of the project's containers (all states), by name. */
export async function projectIds(d: TestDaemon, project: string): Promise<Record<string, string>> {
  const r = await d.dockerAsync([
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Names}} {{.ID}}',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, string> = {};
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const [n, id] = l.split(' ');
    out[n] = id;
  }
  return out;
}

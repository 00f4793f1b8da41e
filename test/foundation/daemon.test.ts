/**
 * Issue 2: berthd itself — one daemon per data root (lock), a clean exit on
 * SIGTERM that removes the socket, the config file (keys like the flags; an
 * invalid file is a clear error), structured JSON logs.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { rawRequest } from './http.ts';

const MAIN = join(ROOT, 'dist/src/daemon/main.js');
let d: TestDaemon;
let scratch: string;
const started: ChildProcess[] = [];

interface Spawned {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function berthd(args: string[]): Spawned {
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let text = '';
  proc.stdout?.on('data', (c) => (text += c));
  proc.stderr?.on('data', (c) => (text += c));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => text, exit };
}

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function pingOk(socket: string): Promise<boolean> {
  try {
    return (await rawRequest(socket, 'GET', '/_ping')).status === 200;
  } catch {
    return false;
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

before(async () => {
  d = await startDaemon();
  scratch = mkdtempSync('/tmp/berth-daemon-test-');
});

after(async () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await d?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('berthd', () => {
  test('logs are JSON lines with time, level and msg', () => {
    const ls = d
      .log()
      .split('\n')
      .filter((l) => l.trim() !== '');
    assert.ok(ls.length > 0);
    for (const l of ls) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON log line: ${l}`);
      }
      assert.equal(typeof rec.time, 'string', l);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(rec.level as string), l);
      assert.equal(typeof rec.msg, 'string', l);
    }
    assert.ok(ls.some((l) => JSON.parse(l).msg === 'berthd is ready'));
  });

  test('a second daemon on the same data root fails with a clear message', async () => {
    const s = berthd([
      '--data-root',
      d.dataRoot,
      '--exec-root',
      join(scratch, 'exec2'),
      '--host',
      `unix://${join(scratch, 'second.sock')}`,
      '--config-file',
      join(d.dir, 'daemon.json'),
    ]);
    const code = await withTimeout(s.exit, 15_000, 'second berthd');
    assert.notEqual(code, 0);
    assert.match(s.out(), /locked|another/i);
    assert.ok(s.out().includes(d.dataRoot), s.out());
    assert.doesNotMatch(s.out(), /\n\s+at /, 'no stack trace');
    // The first one still serves.
    assert.ok(await pingOk(d.socket));
  });

  test('a second daemon on the same socket fails and leaves the first one serving', async () => {
    const s = berthd([
      '--data-root',
      join(scratch, 'data3'),
      '--exec-root',
      join(scratch, 'exec3'),
      '--host',
      d.host,
      '--config-file',
      join(d.dir, 'daemon.json'),
    ]);
    const code = await withTimeout(s.exit, 15_000, 'third berthd');
    assert.notEqual(code, 0);
    assert.match(s.out(), /listening|in use|another/i);
    assert.ok(await pingOk(d.socket));
  });

  test('config file: data-root, exec-root, hosts and log-level from the file; flags win', async () => {
    const dir = join(scratch, 'cfg');
    mkdirSync(dir);
    const sock = join(dir, 'from-file.sock');
    const cfg = join(dir, 'daemon.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        'data-root': join(dir, 'data'),
        'exec-root': join(dir, 'exec'),
        hosts: [`unix://${sock}`],
        'log-level': 'error',
        'some-future-key': true,
      }),
    );
    const s = berthd(['--config-file', cfg]);
    try {
      await waitFor(() => existsSync(sock) || s.proc.exitCode !== null);
      await waitFor(() => existsSync(join(dir, 'data', 'metadata.db')) || s.proc.exitCode !== null);
      assert.equal(s.proc.exitCode, null, s.out());
      assert.ok(await pingOk(sock));
      const info = JSON.parse((await rawRequest(sock, 'GET', '/info')).body) as {
        DockerRootDir: string;
        Warnings: string[];
      };
      assert.equal(info.DockerRootDir, join(dir, 'data'));
      assert.ok(
        info.Warnings.some((w) => w.includes('some-future-key')),
        `unknown key warned: ${info.Warnings}`,
      );
      // log-level error: no info lines.
      assert.doesNotMatch(s.out(), /"level":"info"/);
    } finally {
      s.proc.kill('SIGTERM');
      await withTimeout(s.exit, 15_000, 'config berthd');
    }
    // The flag overrides the file's log level.
    const s2 = berthd(['--config-file', cfg, '--log-level', 'info']);
    try {
      await waitFor(() => s2.out().includes('berthd is ready') || s2.proc.exitCode !== null);
      assert.equal(s2.proc.exitCode, null, s2.out());
    } finally {
      s2.proc.kill('SIGTERM');
      await withTimeout(s2.exit, 15_000, 'config berthd 2');
    }
  });

  test('an invalid config file is a clear error', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad-json.json', '{"data-root": ', /not valid JSON/i],
      ['not-object.json', '[1,2]', /object|JSON/i],
      ['bad-level.json', '{"log-level": "loud"}', /log level/i],
      ['bad-host.json', '{"hosts": ["ftp://x"]}', /host/i],
    ];
    for (const [name, text, re] of cases) {
      const file = join(scratch, name);
      writeFileSync(file, text);
      const s = berthd(['--config-file', file, '--data-root', join(scratch, `d-${name}`)]);
      const code = await withTimeout(s.exit, 15_000, name);
      assert.equal(code, 1, `${name}: ${s.out()}`);
      assert.match(s.out(), re, name);
      assert.doesNotMatch(s.out(), /\n\s+at /, `${name}: no stack trace`);
    }
    const missing = berthd(['--config-file', join(scratch, 'missing.json'), '--data-root', join(scratch, 'dm')]);
    assert.equal(await withTimeout(missing.exit, 15_000, 'missing'), 1);
    assert.match(missing.out(), /missing\.json/);
    const badFlag = berthd(['--no-such-flag']);
    assert.notEqual(await withTimeout(badFlag.exit, 15_000, 'bad flag'), 0);
    assert.match(badFlag.out(), /no-such-flag/);
  });

  test('SIGTERM: clean exit 0, the socket is removed, the lock released', async () => {
    assert.ok(existsSync(d.socket));
    const code = await withTimeout(d.stop('SIGTERM'), 15_000, 'SIGTERM');
    assert.equal(code, 0, d.log());
    assert.equal(existsSync(d.socket), false, 'socket removed');
    assert.match(d.log(), /"msg":"stopped"/);
    // The data root is free again: the daemon comes back on it.
    await d.restart();
    assert.ok(await pingOk(d.socket));
  });
});

/**
 * Issue 3 through `berth run`: output, exit codes (container's, 125, 127), stdin, flags, signal proxy.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileDaemon, ROOT } from '../helpers/daemon.ts';

const BERTH = join(ROOT, 'bin/berth');
const file = fileDaemon();
const ok = (args: string[], input?: string): string => file.berthOk(args, input);

describe('berth run', () => {
  test('--rm busybox echo hello prints hello and exits 0', () => {
    const r = file.d.berth(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
  });

  test("sh -c 'exit 42' exits 42; stderr stays on stderr", () => {
    const r = file.d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 42']);
    assert.equal(r.code, 42);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('-i pipes stdin and ends it at EOF', () => {
    const r = file.d.berth(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'x\ny\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x\ny\n');
  });

  test('flags reach the container: -e, --env-file, -w, -u, --hostname, -l, --entrypoint', () => {
    const dir = mkdtempSync('/tmp/berth-cli-env-');
    try {
      writeFileSync(join(dir, 'env'), '# comment\nFROM_FILE=f\n');
      const out = ok([
        'run',
        '--rm',
        '-e',
        'A=1',
        '--env-file',
        join(dir, 'env'),
        '-w',
        '/tmp',
        '-u',
        '1234:5678',
        '--hostname',
        'boat',
        '--entrypoint',
        'sh',
        'busybox',
        '-c',
        'echo $A $FROM_FILE $(pwd) $(id -u):$(id -g) $(hostname)',
      ]);
      assert.equal(out, '1 f /tmp 1234:5678 boat\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a command that does not exist exits 127; a missing image says so and exits 125', () => {
    const r = file.d.berth(['run', '--rm', 'busybox', 'no-such-command']);
    assert.equal(r.code, 127, r.stderr);
    assert.match(r.stderr, /executable file not found/);
    const m = file.d.berth(['run', '--rm', '--pull', 'never', 'no-such-image:1', 'true']);
    assert.equal(m.code, 125);
    assert.match(m.stderr, /No such image/i);
    assert.equal(ok(['ps', '-a', '-q']).trim(), '', 'nothing left behind by --rm');
  });

  test('bad flags exit 125 before anything is created', () => {
    const r = file.d.berth(['run', '--rm', '--memory', 'lots', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /invalid size/);
  });

  test('SIGTERM to berth run is forwarded to the container', async () => {
    const child = spawn(
      BERTH,
      [
        'run',
        '--rm',
        '--name',
        'sigs',
        'busybox',
        'sh',
        '-c',
        "trap 'echo got TERM; exit 7' TERM; while true; do sleep 0.1; done",
      ],
      { env: { ...process.env, BERTH_HOST: file.d.host } },
    );
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 100 && !ok(['ps', '-q', '--filter', 'name=sigs']).trim(); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    assert.equal(await exited, 7);
    assert.match(out, /got TERM/);
  });
});

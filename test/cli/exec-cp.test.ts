/**
 * Issue 3 through `berth`: exec (exit code, -i, -e, -w), cp both ways, diff, commit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileDaemon, lines } from '../helpers/daemon.ts';

const file = fileDaemon();
const ok = (args: string[], input?: string): string => file.berthOk(args, input);

describe('exec, cp, diff, commit', () => {
  test('exec (exit code, -i, -e, -w), cp both ways, diff, commit', () => {
    ok(['run', '-d', '--name', 'box', 'busybox', 'sleep', '60']);
    const e = file.d.berth(['exec', 'box', 'sh', '-c', 'echo in; exit 5']);
    assert.equal(e.code, 5, e.stderr);
    assert.equal(e.stdout, 'in\n');
    assert.equal(ok(['exec', '-i', 'box', 'cat'], 'piped\n'), 'piped\n');
    assert.equal(ok(['exec', '-e', 'A=1', '-w', '/tmp', 'box', 'sh', '-c', 'echo $A $(pwd)']), '1 /tmp\n');
    const dir = mkdtempSync('/tmp/berth-cli-cp-');
    try {
      writeFileSync(join(dir, 'host.txt'), 'from host\n');
      ok(['cp', join(dir, 'host.txt'), 'box:/tmp/']);
      assert.equal(ok(['exec', 'box', 'cat', '/tmp/host.txt']), 'from host\n');
      ok(['exec', 'box', 'sh', '-c', 'mkdir -p /srv/d/e && echo deep > /srv/d/e/f']);
      ok(['cp', 'box:/srv/d', join(dir, 'copy')]);
      assert.equal(readFileSync(join(dir, 'copy/e/f'), 'utf8'), 'deep\n');
      ok(['cp', join(dir, 'copy'), 'box:/srv/back']);
      assert.equal(ok(['exec', 'box', 'cat', '/srv/back/e/f']), 'deep\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const diff = lines(ok(['diff', 'box']));
    assert.ok(diff.includes('A /tmp/host.txt'), diff.join('|'));
    const img = ok(['commit', '-c', 'ENV MARK=yes', 'box', 'boxed:1']).trim();
    assert.match(img, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(['run', '--rm', 'boxed:1', 'sh', '-c', 'echo $MARK; cat /tmp/host.txt']), 'yes\nfrom host\n');
    ok(['rm', '-f', 'box']);
  });
});

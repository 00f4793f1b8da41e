/**
 * Issue 3 through `berth`: -d + logs + stop + rm, ps filters and formats, rename, wait, kill,
 * pause/unpause, restart, create + start -a, container ls/inspect/prune.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileDaemon, lines, ROOT, runAsync } from '../helpers/daemon.ts';

const BERTH = join(ROOT, 'bin/berth');
const file = fileDaemon();
const ok = (args: string[], input?: string): string => file.berthOk(args, input);

describe('detached containers', () => {
  test('-d, logs (--tail, -t), stop, rm', async () => {
    const id = ok([
      'run',
      '-d',
      '--name',
      'ticker',
      'busybox',
      'sh',
      '-c',
      "trap 'exit 0' TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done",
    ]).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await new Promise((r) => setTimeout(r, 600));
    const tail = lines(ok(['logs', '--tail', '2', 'ticker']));
    assert.equal(tail.length, 2);
    assert.match(tail[0] as string, /^line \d+$/);
    assert.match(ok(['logs', '-t', 'ticker']), /^\d{4}-\d\d-\d\dT[\d:.]+Z line 0$/m);
    assert.equal(ok(['stop', 'ticker']), 'ticker\n');
    assert.equal(ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'ticker']), 'exited 0\n');
    assert.equal(ok(['rm', 'ticker']), 'ticker\n');
    const gone = file.d.berth(['inspect', 'ticker']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such object: ticker/);
  });

  test('ps: -a, -q, -n, --filter, --format (template, table, json), --no-trunc', () => {
    ok(['run', '-d', '--name', 'up-one', '-l', 'tier=web', 'busybox', 'sleep', '60']);
    ok(['create', '--name', 'made-one', '-l', 'tier=db', 'busybox', 'true']);
    const running = lines(ok(['ps', '--format', '{{.Names}}']));
    assert.deepEqual(running, ['up-one']);
    const all = lines(ok(['ps', '-a', '--format', '{{.Names}} {{.State}}']));
    assert.ok(all.includes('up-one running') && all.includes('made-one created'), all.join('|'));
    assert.deepEqual(lines(ok(['ps', '-a', '--filter', 'label=tier=db', '--format', '{{.Names}}'])), ['made-one']);
    assert.deepEqual(lines(ok(['ps', '-a', '--filter', 'status=created', '--format', '{{.Label "tier"}}'])), ['db']);
    assert.deepEqual(lines(ok(['ps', '-n', '1', '--format', '{{.Names}}'])), ['made-one']);
    const q = lines(ok(['ps', '-a', '-q']));
    assert.ok(q.every((x) => /^[0-9a-f]{12}$/.test(x)));
    assert.ok(lines(ok(['ps', '-a', '-q', '--no-trunc'])).every((x) => /^[0-9a-f]{64}$/.test(x)));
    const table = lines(ok(['ps', '--format', 'table {{.ID}}\t{{.Names}}']));
    assert.match(table[0] as string, /^CONTAINER ID\s+NAMES$/);
    const json = JSON.parse(lines(ok(['ps', '--format', 'json']))[0] as string) as { Names: string; State: string };
    assert.equal(json.Names, 'up-one');
    const plain = lines(ok(['ps']));
    assert.match(plain[0] as string, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.match(plain[1] as string, /busybox\s+"sleep 60"\s+.*Up .*up-one$/);
    ok(['rm', '-f', 'up-one', 'made-one']);
  });

  test('rename, wait, kill, pause/unpause', async () => {
    ok(['run', '-d', '--name', 'old-name', 'busybox', 'sh', '-c', 'sleep 60']);
    ok(['rename', 'old-name', 'new-name']);
    assert.equal(ok(['inspect', '--format', '{{.Name}}', 'new-name']), '/new-name\n');
    assert.equal(ok(['pause', 'new-name']), 'new-name\n');
    assert.equal(ok(['inspect', '--format', '{{.State.Status}}', 'new-name']), 'paused\n');
    ok(['unpause', 'new-name']);
    const waiting = runAsync(BERTH, ['wait', 'new-name'], { BERTH_HOST: file.d.host });
    await new Promise((r) => setTimeout(r, 300));
    ok(['kill', '-s', 'KILL', 'new-name']);
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, '137\n');
    ok(['container', 'rm', 'new-name']);
  });

  test('restart gives a new start', () => {
    ok(['run', '-d', '--name', 'again', 'busybox', 'sleep', '60']);
    try {
      const started = ok(['inspect', '--format', '{{.State.StartedAt}}', 'again']);
      ok(['restart', '-t', '0', 'again']);
      assert.notEqual(ok(['inspect', '--format', '{{.State.StartedAt}}', 'again']), started);
      assert.equal(ok(['inspect', '--format', '{{.State.Status}}', 'again']), 'running\n');
    } finally {
      file.d.berth(['rm', '-f', 'again']);
    }
  });

  test('create + start -a gives the exit code; container ls/inspect/prune', () => {
    const id = ok(['container', 'create', '--name', 'later', 'busybox', 'sh', '-c', 'echo later; exit 3']).trim();
    const r = file.d.berth(['start', '-a', 'later']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'later\n');
    const info = JSON.parse(ok(['container', 'inspect', 'later'])) as Array<{
      Id: string;
      State: { ExitCode: number };
    }>;
    assert.equal(info[0]?.Id, id);
    assert.equal(info[0]?.State.ExitCode, 3);
    assert.match(ok(['container', 'ls', '-a']), /later/);
    const pruned = ok(['container', 'prune', '-f']);
    assert.match(pruned, new RegExp(id));
    assert.equal(ok(['container', 'ls', '-a', '-q']), '');
  });
});

/**
 * Issue 2: the berth CLI drives the same verbs through the API — version,
 * info, images, image ls/inspect/rm/tag/history/prune/import/load/save/
 * bootstrap, system df, events — with --format json, host selection
 * (--host over BERTH_HOST over DOCKER_HOST) and a clear error without a daemon.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runAsync, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerArchive, makeTar, tinyLayer } from './archive.ts';

const BERTH = join(ROOT, 'bin/berth');
let d: TestDaemon;

function ok(args: string[], input?: Buffer | string): string {
  const r = d.berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const idOf = (ref: string) => ok(['image', 'inspect', '--format', '{{.Id}}', ref]).trim();

/** Runs bin/berth with exactly the host variables given (others cleared). */
function berthWith(args: string[], env: { BERTH_HOST?: string; DOCKER_HOST?: string }) {
  return runAsync(BERTH, args, { BERTH_HOST: env.BERTH_HOST ?? '', DOCKER_HOST: env.DOCKER_HOST ?? '' });
}

before(async () => {
  d = await startDaemon();
});

after(async () => {
  await d?.cleanup();
});

describe('berth CLI', () => {
  test('image bootstrap busybox makes busybox:latest; a second run says up to date', async () => {
    const first = await runAsync(BERTH, ['image', 'bootstrap', 'busybox'], { BERTH_HOST: d.host });
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /up to date/);
    const id = idOf('busybox:latest');
    const second = await runAsync(BERTH, ['image', 'bootstrap', 'busybox'], { BERTH_HOST: d.host });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
    assert.equal(idOf('busybox:latest'), id);
  });

  test('version: client and server; --format json', () => {
    const out = ok(['version']);
    assert.match(out, /Client: Berth/);
    assert.match(out, /Server: Berth/);
    const j = JSON.parse(ok(['version', '--format', 'json'])) as {
      Client: { Version: string };
      Server: { ApiVersion: string; Platform: { Name: string } };
    };
    assert.ok(j.Client.Version);
    assert.match(j.Server.Platform.Name, /Berth/);
  });

  test('version into a pipe whose reader has gone (`| head`) ends quietly, exit 0', async () => {
    const child = spawn(BERTH, ['version'], {
      env: { ...process.env, BERTH_HOST: d.host },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the read end closes before berth writes: its write(2) gets EPIPE
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  test('info: table and --format json', () => {
    assert.match(ok(['info']), /Images: 1/);
    const i = JSON.parse(ok(['info', '--format', 'json'])) as { Images: number; NCPU: number };
    assert.equal(i.Images, 1);
    assert.ok(i.NCPU >= 1);
    assert.match(ok(['system', 'info']), /Server Version:/);
  });

  test('images, image ls: table, -q, --format json, filters', async () => {
    const a = await dockerArchive([
      { tags: ['lbl/yes:1'], layers: [await tinyLayer('y', 'y')], labels: { pick: 'me' } },
      { tags: ['lbl/no:1'], layers: [await tinyLayer('n', 'n')] },
    ]);
    const loaded = ok(['load'], a.tar);
    assert.match(loaded, /Loaded image: lbl\/yes:1/);
    const table = lines(ok(['images']));
    assert.match(table[0], /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(
      table.some((l) => /^busybox\s+latest\s+[0-9a-f]{12}\s/.test(l)),
      table.join('\n'),
    );
    const fmt = ['--format', '{{.Repository}}:{{.Tag}} {{.ID}}'];
    assert.deepEqual(lines(ok(['image', 'ls', ...fmt])), lines(ok(['images', ...fmt])));
    assert.equal(lines(ok(['image', 'ls'])).length, table.length);
    const js = lines(ok(['images', '--format', 'json'])).map((l) => JSON.parse(l) as Record<string, string>);
    assert.ok(js.some((x) => x.Repository === 'busybox' && x.Tag === 'latest'));
    assert.deepEqual(lines(ok(['image', 'ls', '--filter', 'label=pick=me', '--format', '{{.Repository}}:{{.Tag}}'])), [
      'lbl/yes:1',
    ]);
    assert.deepEqual(lines(ok(['images', '-q', '--no-trunc', 'lbl/no'])), [a.ids[1]]);
    const dg = lines(ok(['images', '--digests', 'busybox']));
    assert.match(dg[0], /DIGEST/);
  });

  test('image inspect, history', () => {
    const [i] = JSON.parse(ok(['image', 'inspect', 'busybox'])) as Array<{ Id: string; RepoTags: string[] }>;
    assert.deepEqual(i.RepoTags, ['busybox:latest']);
    assert.equal(JSON.parse(ok(['inspect', 'busybox']))[0].Id, i.Id);
    const bad = d.berth(['image', 'inspect', 'nope:nope']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /No such image/i);
    const h = lines(ok(['image', 'history', 'busybox']));
    assert.match(h[0], /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
    assert.ok(h[1].startsWith(i.Id.slice(7, 19)));
    const hj = lines(ok(['history', '--format', 'json', 'busybox'])).map((l) => JSON.parse(l) as { Id: string });
    assert.equal(hj[0].Id, i.Id);
  });

  test('tag, image tag, rmi, image rm: untag vs delete, conflict unless -f', () => {
    const id = idOf('busybox');
    ok(['tag', 'busybox', 'mine/a:1']);
    ok(['image', 'tag', 'busybox', 'mine/b']);
    assert.equal(idOf('mine/a:1'), id);
    assert.equal(idOf('mine/b:latest'), id);
    assert.match(ok(['rmi', 'mine/a:1']), /Untagged: mine\/a:1/);
    assert.match(ok(['image', 'rm', 'mine/b']), /Untagged: mine\/b:latest/);
    const a = ok(['tag', 'lbl/no:1', 'lbl/no:2']);
    void a;
    const noId = idOf('lbl/no:1');
    const c = d.berth(['image', 'rm', noId.slice(7, 19)]);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /must be forced/);
    const f = ok(['image', 'rm', '-f', noId.slice(7, 19)]);
    assert.match(f, new RegExp(`Deleted: ${noId}`));
  });

  test('image import (file, stdin, --change, -m), save, load round trip', async () => {
    const tar = await makeTar([{ name: 'x.txt', content: 'imported by berth' }]);
    const file = join(d.dir, 'b-rootfs.tar');
    writeFileSync(file, tar);
    const id = ok(['image', 'import', '-c', 'ENV A=1', '-m', 'berth import', file, 'bimp:1']).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const [i] = JSON.parse(ok(['image', 'inspect', 'bimp:1'])) as Array<{ Comment: string; Config: { Env: string[] } }>;
    assert.equal(i.Comment, 'berth import');
    assert.ok(i.Config.Env.includes('A=1'));
    const id2 = ok(['import', '-', 'bimp:2'], tar).trim();
    assert.equal(idOf('bimp:2'), id2);

    const bb = idOf('busybox');
    const out = join(d.dir, 'b-save.tar');
    const s = await runAsync(BERTH, ['image', 'save', '-o', out, 'busybox', 'bimp:1'], { BERTH_HOST: d.host });
    assert.equal(s.code, 0, s.stderr);
    ok(['rmi', 'busybox', 'bimp:1']);
    const l = await runAsync(BERTH, ['image', 'load', '-i', out], { BERTH_HOST: d.host });
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /Loaded image: busybox:latest/);
    assert.equal(idOf('busybox'), bb);
    assert.equal(idOf('bimp:1'), id);
    // save to stdout, load from stdin
    const pipe = await runAsync('sh', ['-c', `'${BERTH}' save busybox | '${BERTH}' load`], { BERTH_HOST: d.host });
    assert.equal(pipe.code, 0, pipe.stderr);
    assert.match(pipe.stdout, /Loaded image: busybox:latest/);
    assert.equal(idOf('busybox'), bb);
  });

  test('image prune removes dangling images only', async () => {
    const id = ok(['import', '-'], await makeTar([{ name: 'dang', content: 'd' }])).trim();
    const out = ok(['image', 'prune', '-f']);
    assert.match(out, new RegExp(`deleted: ${id}`, 'i'));
    assert.match(out, /Total reclaimed space/);
    assert.notEqual(d.berth(['image', 'inspect', id]).code, 0);
    assert.equal(d.berth(['image', 'inspect', 'busybox']).code, 0);
  });

  test('system df, --format json', () => {
    assert.match(ok(['system', 'df']), /^Images\s+\d+/m);
    const j = JSON.parse(ok(['system', 'df', '--format', 'json'])) as { Images: unknown[] };
    assert.ok(Array.isArray(j.Images) && j.Images.length >= 1);
  });

  test('events: a tag event appears, with filters; --since/--until ends', async () => {
    const p = spawn(BERTH, ['events', '--filter', 'event=tag', '--format', 'json'], {
      env: { ...process.env, BERTH_HOST: d.host },
    });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    try {
      await new Promise((r) => setTimeout(r, 500));
      ok(['tag', 'busybox', 'ev:1']);
      ok(['rmi', 'ev:1']);
      const deadline = Date.now() + 5000;
      while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      p.kill();
    }
    const evs = lines(out).map((l) => JSON.parse(l) as { Action: string });
    assert.deepEqual(
      evs.map((e) => e.Action),
      ['tag'],
    );
    const now = Math.floor(Date.now() / 1000);
    const r = await runAsync(
      BERTH,
      ['system', 'events', '--since', String(now - 60), '--until', String(now + 1), '--filter', 'event=untag'],
      { BERTH_HOST: d.host },
      { timeoutMs: 15_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /image untag/);
  });

  test('host selection: --host over BERTH_HOST over DOCKER_HOST', async () => {
    const dead = `unix://${join(d.dir, 'nobody-here.sock')}`;
    assert.equal((await berthWith(['info'], { DOCKER_HOST: d.host })).code, 0);
    assert.equal((await berthWith(['info'], { BERTH_HOST: d.host, DOCKER_HOST: dead })).code, 0);
    const viaBad = await berthWith(['info'], { BERTH_HOST: dead, DOCKER_HOST: d.host });
    assert.equal(viaBad.code, 1);
    assert.ok(viaBad.stderr.includes(dead.slice(7)), viaBad.stderr);
    assert.equal((await berthWith(['--host', d.host, 'info'], { BERTH_HOST: dead, DOCKER_HOST: dead })).code, 0);
    assert.equal((await berthWith(['-H', d.host, 'images'], { BERTH_HOST: dead })).code, 0);
  });

  test('no daemon: a clear error that says how to start it, exit code 1', async () => {
    const dead = `unix://${join(d.dir, 'nobody-here.sock')}`;
    for (const args of [['images'], ['info'], ['image', 'inspect', 'busybox']]) {
      const r = await berthWith(args, { BERTH_HOST: dead });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.code}`);
      assert.match(r.stderr, /Cannot connect/);
      assert.match(r.stderr, /berthd/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    // version prints the client part, then the error.
    const v = await berthWith(['version'], { BERTH_HOST: dead });
    assert.equal(v.code, 1);
    assert.match(v.stdout, /Client: Berth/);
    assert.match(v.stderr, /Cannot connect/);
  });
});

/**
 * Issue 7, done when: a rebuild without changes takes every step from the
 * cache (same image ID), also after a daemon restart; touching one copied
 * file rebuilds from that step on; changing a build arg used by a RUN
 * rebuilds from that RUN; Dockerfile errors fail before any step, naming
 * the line; the docker CLI's classic builder works; .dockerignore keeps
 * excluded bytes off the wire.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { berthAsync, build, builtId, cachedSteps, makeContext } from './util.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});
after(async () => {
  await d?.cleanup();
});

const DF = 'FROM busybox\nARG V=1\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\nRUN echo "v=$V" > /v\nLABEL done=yes\n';

test('cache: same ID on rebuild and after a restart, exact invalidation by file and by build arg', async () => {
  const ctx = makeContext({ Dockerfile: DF, 'a.txt': 'a\n', 'b.txt': 'b\n' });
  try {
    const first = await build(d, ['-t', 'c:1', ctx.dir]);
    const id1 = builtId(first);
    assert.equal(cachedSteps(first).cached.length, 0);

    const again = await build(d, ['-t', 'c:1', ctx.dir]);
    assert.equal(builtId(again), id1);
    assert.deepEqual(cachedSteps(again).rebuilt, ['ARG V=1']);

    await d.stop();
    await d.restart();
    const restarted = await build(d, ['-t', 'c:1', ctx.dir]);
    assert.equal(builtId(restarted), id1, 'the cache survives a daemon restart');

    ctx.write('b.txt', 'b changed\n');
    const touched = cachedSteps(await build(d, ['-t', 'c:2', ctx.dir]));
    assert.deepEqual(touched.cached, ['COPY a.txt /a.txt']);
    assert.deepEqual(touched.rebuilt, ['ARG V=1', 'COPY b.txt /b.txt', 'RUN echo "v=$V" > /v', 'LABEL done=yes']);

    const arg = await build(d, ['-t', 'c:3', '--build-arg', 'V=2', ctx.dir]);
    const s = cachedSteps(arg);
    assert.deepEqual(s.cached, ['COPY a.txt /a.txt', 'COPY b.txt /b.txt']);
    assert.deepEqual(s.rebuilt, ['ARG V=1', 'RUN echo "v=$V" > /v', 'LABEL done=yes']);
    const r = await d.dockerAsync(['run', '--rm', 'c:3', 'cat', '/v']);
    assert.equal(r.stdout, 'v=2\n');

    const nocache = cachedSteps(await build(d, ['-t', 'c:4', '--no-cache', ctx.dir]));
    assert.equal(nocache.cached.length, 0);

    // the cache shows in system df and goes with builder prune
    const df = JSON.parse((await d.dockerAsync(['system', 'df', '--format', 'json'])).stdout.split('\n')[0] || '{}');
    void df;
    const pruned = await berthAsync(d, ['builder', 'prune', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Total reclaimed space/);
    const cold = cachedSteps(await build(d, ['-t', 'c:5', ctx.dir]));
    assert.equal(cold.cached.length, 0, 'nothing cached after prune');
  } finally {
    ctx.remove();
  }
});

test('Dockerfile errors fail before any step runs, naming the line', async () => {
  const cases: Array<[string, RegExp]> = [
    ['FROM busybox\nRUN echo one\nRUNN echo two\n', /Dockerfile:3: unknown instruction: RUNN/i],
    ['FROM busybox\nRUN echo one\nRUN <<EOF\necho never ends\n', /Dockerfile:3:.*heredoc/i],
    ['FROM busybox\nRUN echo one\nCOPY --frm=x a b\n', /Dockerfile:3:.*frm/i],
  ];
  for (const [text, want] of cases) {
    const ctx = makeContext({ Dockerfile: text });
    try {
      const r = await berthAsync(d, ['build', ctx.dir]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stdout, /Step \d/, 'no step ran');
    } finally {
      ctx.remove();
    }
  }
});

test('the docker CLI (DOCKER_BUILDKIT=0) builds through POST /build', async () => {
  const ctx = makeContext({
    Dockerfile: 'FROM busybox\nCOPY hi /hi\nRUN cat /hi\nCMD ["cat","/hi"]\n',
    hi: 'hi there\n',
  });
  try {
    const r = await d.dockerAsync(['build', '-t', 'viadocker', ctx.dir], { env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged viadocker:latest/);
    const q = await d.dockerAsync(['build', '-q', '-t', 'viadocker', ctx.dir], { env: { DOCKER_BUILDKIT: '0' } });
    assert.match(q.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const run = await d.dockerAsync(['run', '--rm', 'viadocker']);
    assert.equal(run.stdout, 'hi there\n');
    const bad = await d.dockerAsync(['build', ctx.dir, '-f', join(ctx.dir, 'nope')], { env: { DOCKER_BUILDKIT: '0' } });
    assert.notEqual(bad.code, 0);
    const fail = makeContext({ Dockerfile: 'FROM busybox\nRUN exit 3\n' });
    const f = await d.dockerAsync(['build', fail.dir], { env: { DOCKER_BUILDKIT: '0' } });
    fail.remove();
    assert.notEqual(f.code, 0);
    assert.match(f.stderr, /returned a non-zero code: 3/);
  } finally {
    ctx.remove();
  }
});

test('berth build sends only what .dockerignore keeps (200 MB context, 190 MB ignored)', async () => {
  const ctx = makeContext({
    Dockerfile: 'FROM busybox\nCOPY keep /keep\n',
    '.dockerignore': 'ignored\n**/*.log\n',
  });
  try {
    const mb = Buffer.alloc(1024 * 1024, 7);
    const big = (p: string, n: number) => {
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) parts.push(mb);
      ctx.write(p, Buffer.concat(parts));
    };
    big('keep', 10);
    for (let i = 0; i < 18; i++) big(`ignored/f${i}`, 10);
    big('sub/trace.log', 10);
    writeFileSync(join(ctx.dir, 'outside'), '');
    const before = d.log().length;
    await build(d, ['-t', 'ctxsize', ctx.dir]);
    const m = /"msg":"build context received"[^\n]*"bytes":(\d+)/.exec(d.log().slice(before));
    assert.ok(m, 'the daemon logs the context size');
    const bytes = Number(m[1]);
    assert.ok(bytes > 10 * 1024 * 1024 && bytes < 10.2 * 1024 * 1024, `context was ${bytes} bytes`);
  } finally {
    ctx.remove();
  }
});

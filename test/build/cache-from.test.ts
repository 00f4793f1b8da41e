/**
 * Issue 7: `--cache-from` and `COPY --link`.
 *
 * An image built here, saved and loaded into a daemon that never ran the
 * build (fresh data root), supplies every step's cache hit when named in
 * --cache-from (berth build and the docker CLI's classic builder): the
 * result has the same image ID; without --cache-from the steps run.
 *
 * A COPY --link layer holds the copied files alone and survives a changed
 * base: the step is taken from the cache and its layer (diffID) is reused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { build, builtId, cachedSteps, inspect, makeContext } from './util.ts';

let d: TestDaemon;
let fresh: TestDaemon;
before(async () => {
  [d, fresh] = await Promise.all([startDaemon(), startDaemon()]);
  await Promise.all([loadBusybox(d), loadBusybox(fresh)]);
});
after(async () => {
  await Promise.all([d?.cleanup(), fresh?.cleanup()]);
});

const DF = [
  'FROM busybox',
  'ARG V=1',
  'ENV APP=/srv/app',
  'WORKDIR $APP',
  'COPY a.txt ./',
  'RUN echo "v=$V" > v && cat a.txt >> v',
  'COPY --link b.txt /b.txt',
  'CMD ["cat", "v"]',
  '',
].join('\n');
/** The Dockerfile's steps after FROM, as the build reports them. */
const STEPS = DF.split('\n').slice(1, -1);

test('--cache-from: a loaded image supplies every step on a daemon without build cache (berth build, docker CLI)', async () => {
  const ctx = makeContext({ Dockerfile: DF, 'a.txt': 'a\n', 'b.txt': 'b\n' });
  const tar = join(ctx.dir, '..', `${ctx.dir.split('/').pop()}.tar`);
  try {
    const first = await build(d, ['-t', 'cf:1', '--label', 'k=v', ctx.dir]);
    const id = builtId(first);
    const saved = await d.dockerAsync(['save', '-o', tar, 'cf:1']);
    assert.equal(saved.code, 0, saved.stderr);
    const loaded = await fresh.dockerAsync(['load', '-i', tar]);
    assert.equal(loaded.code, 0, loaded.stderr);

    // without --cache-from the steps run (the loaded image is no cache by itself)
    const miss = await build(fresh, ['-t', 'cf:0', '--label', 'k=v', ctx.dir]);
    assert.deepEqual(cachedSteps(miss).cached, [], miss);
    assert.notEqual(builtId(miss), id);

    // with it, every step is taken from the image, ahead of that local cache
    const hit = await build(fresh, ['-t', 'cf:2', '--label', 'k=v', '--cache-from', 'cf:1', ctx.dir]);
    const s = cachedSteps(hit);
    assert.deepEqual(
      s.cached,
      [...STEPS.filter((x) => !x.startsWith('ARG')), 'LABEL "k"="v"'],
      `every step cached:\n${hit}`,
    );
    assert.equal(builtId(hit), id, `same image ID as the cached image\n${first}\n${hit}`);
    const run = await fresh.dockerAsync(['run', '--rm', 'cf:2']);
    assert.equal(run.stdout, 'v=1\na\n');

    // the docker CLI's classic builder sends cachefrom=["cf:1"]; a changed build arg misses from its RUN on
    const cli = await fresh.dockerAsync(
      ['build', '--cache-from', 'cf:1', '--build-arg', 'V=2', '--label', 'k=v', '-t', 'cf:3', ctx.dir],
      { env: { DOCKER_BUILDKIT: '0' } },
    );
    assert.equal(cli.code, 0, cli.stderr);
    const c = cachedSteps(cli.stdout);
    assert.deepEqual(c.cached, ['ENV APP=/srv/app', 'WORKDIR $APP', 'COPY a.txt ./', 'COPY --link b.txt /b.txt']);
    assert.ok(c.rebuilt.includes('RUN echo "v=$V" > v && cat a.txt >> v'), cli.stdout);
    assert.match(c.rebuilt.join('\n'), /CMD/);

    // the docker CLI without --cache-from gets the local cache (the last build's steps)
    const local = await fresh.dockerAsync(['build', '-t', 'cf:4', '--label', 'k=v', ctx.dir], {
      env: { DOCKER_BUILDKIT: '0' },
    });
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(cachedSteps(local.stdout).rebuilt, ['ARG V=1'], local.stdout);
    assert.equal(builtId(local.stdout), id, 'the steps replayed from cf:1 are now in the local cache');
  } finally {
    ctx.remove();
    rmSync(tar, { force: true });
  }
});

test('COPY --link: the layer holds the copied files alone and is reused when the base changes', async () => {
  const df = (base: string) =>
    `FROM busybox\nRUN mkdir -p /app && echo ${base} > /app/base\nCOPY --link app/ /app/\nRUN cat /app/base /app/a > /out\n`;
  const ctx = makeContext({ Dockerfile: df('one'), 'app/a': 'a\n' });
  try {
    await build(d, ['-t', 'link:1', ctx.dir]);
    ctx.write('Dockerfile', df('two'));
    const out = await build(d, ['-t', 'link:2', ctx.dir]);
    const s = cachedSteps(out);
    assert.deepEqual(s.cached, ['COPY --link app/ /app/'], out);
    assert.deepEqual(s.rebuilt, ['RUN mkdir -p /app && echo two > /app/base', 'RUN cat /app/base /app/a > /out']);
    const l1 = (await inspect(d, 'link:1')).RootFS.Layers as string[];
    const l2 = (await inspect(d, 'link:2')).RootFS.Layers as string[];
    assert.equal(l2.length, l1.length);
    assert.notEqual(l2[l2.length - 3], l1[l1.length - 3], 'the base layers differ');
    assert.equal(l2[l2.length - 2], l1[l1.length - 2], 'the --link layer is the same');
    const run = await d.dockerAsync(['run', '--rm', 'link:2', 'cat', '/out', '/app/base']);
    assert.equal(run.stdout, 'two\na\ntwo\n', 'the linked layer sits on the new base (both files visible)');

    // the layer is made from the copied files alone: /app/base of the parent is not in it
    const tar = join(ctx.dir, 'img.tar');
    const saved = await d.dockerAsync(['save', '-o', tar, 'link:2']);
    assert.equal(saved.code, 0, saved.stderr);
    const index = JSON.parse(spawnSync('tar', ['-xOf', tar, 'manifest.json']).stdout.toString())[0];
    const blob = index.Layers[index.Layers.length - 2] as string;
    const layer = spawnSync('tar', ['-xOf', tar, blob]).stdout;
    const list = spawnSync('tar', ['-t'], { input: layer }).stdout.toString();
    assert.deepEqual(
      list
        .split('\n')
        .filter(Boolean)
        .map((e) => e.replace(/\/$/, '')),
      ['app', 'app/a'],
    );

    // a plain COPY over the same base is a diff against the parent: it differs by base
    const plain = (base: string) => df(base).replace('--link ', '');
    ctx.write('Dockerfile', plain('three'));
    await build(d, ['-t', 'plain:1', ctx.dir]);
    ctx.write('Dockerfile', plain('four'));
    const p = cachedSteps(await build(d, ['-t', 'plain:2', ctx.dir]));
    assert.deepEqual(p.cached, [], 'a plain COPY after a changed step runs again');

    // --chown names are looked up in the parent's /etc/passwd, though the layer is made apart from it
    ctx.write(
      'Dockerfile',
      'FROM busybox\nRUN echo "app:x:1234:2345::/home:/bin/sh" >> /etc/passwd\nCOPY --link --chown=app --chmod=0640 app/a /srv/a\n',
    );
    await build(d, ['-t', 'link:owner', ctx.dir]);
    const st = await d.dockerAsync(['run', '--rm', 'link:owner', 'stat', '-c', '%u:%g %a', '/srv/a']);
    assert.equal(st.stdout, '1234:2345 640\n', st.stderr);
  } finally {
    ctx.remove();
  }
});

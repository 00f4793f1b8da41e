/** Push to CNCF distribution 2.8.2 and pull back, through the real docker CLI and berth. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, startDistribution } from './peers.ts';

let d: TestDaemon;
let reg: Distribution;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  reg = await startDistribution();
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
});

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function inspect(name: string): { Id: string; RootFS: { Layers: string[] }; RepoDigests: string[] } {
  return JSON.parse(ok(d.docker(['image', 'inspect', name])))[0];
}

test('docker push of a Berth image, rmi, docker pull: same image ID and layers', async () => {
  const img = `${reg.host}/test/app:v1`;
  ok(d.docker(['tag', 'busybox:latest', img]));
  const local = inspect(img);
  const push = ok(await d.dockerAsync(['push', img]));
  assert.match(push, /The push refers to repository \[127\.0\.0\.1:\d+\/test\/app\]/);
  assert.match(push, /Pushed/);
  const m = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push);
  assert.ok(m, push);
  assert.ok(inspect(img).RepoDigests.includes(`${reg.host}/test/app@${m[1]}`));

  ok(d.docker(['rmi', img, 'busybox:latest']));
  assert.notEqual(d.docker(['image', 'inspect', img]).code, 0);
  const pull = ok(await d.dockerAsync(['pull', img]));
  assert.match(pull, /v1: Pulling from test\/app/);
  assert.match(pull, /Pull complete/);
  assert.match(pull, new RegExp(`Digest: ${m[1]}`));
  assert.match(pull, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/test\/app:v1/);
  const back = inspect(img);
  assert.equal(back.Id, local.Id);
  assert.deepEqual(back.RootFS.Layers, local.RootFS.Layers);
  // it runs
  const run = d.docker(['run', '--rm', '--network', 'none', img, 'echo', 'pulled']);
  assert.equal(run.stdout.trim(), 'pulled', run.stderr);

  // pull by digest (after removing it again)
  ok(d.docker(['rmi', img]));
  const byDigest = ok(await d.dockerAsync(['pull', `${reg.host}/test/app@${m[1]}`]));
  assert.match(byDigest, /Status: Downloaded newer image/);
  assert.equal(inspect(`${reg.host}/test/app@${m[1]}`).Id, local.Id);

  // a second tag: the registry already has every layer
  ok(d.docker(['tag', local.Id, `${reg.host}/test/app:v2`]));
  const push2 = ok(await d.dockerAsync(['push', `${reg.host}/test/app:v2`]));
  assert.match(push2, /Layer already exists/);
  assert.doesNotMatch(push2, /Pushed/);
  const pull2 = ok(await d.dockerAsync(['pull', `${reg.host}/test/app:v2`]));
  assert.match(pull2, /Already exists|Image is up to date/);

  // another repository of the same registry: the layer is mounted, not uploaded
  ok(d.docker(['tag', local.Id, `${reg.host}/other/app:v1`]));
  const push3 = ok(await d.dockerAsync(['push', `${reg.host}/other/app:v1`]));
  assert.match(push3, /Mounted from test\/app/);
});

test('berth pull and push', async () => {
  const img = `${reg.host}/berth/cli:1`;
  await loadBusybox(d);
  ok(d.berth(['tag', 'busybox:latest', img]));
  const push = ok(d.berth(['push', img]));
  assert.match(push, /1: digest: sha256:/);
  ok(d.berth(['rmi', img]));
  const pull = ok(d.berth(['pull', img]));
  assert.match(pull, /Digest: sha256:/);
  assert.match(pull, /127\.0\.0\.1:\d+\/berth\/cli:1/);
});

test('pull of a missing tag fails with the registry message', async () => {
  const r = await d.dockerAsync(['pull', `${reg.host}/nope/nothing:1`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not found|manifest unknown/);
});

/**
 * Issue 2: images move between Berth and real Docker (Debian's docker.io
 * 20.10, its dockerd started here on its own roots) with their IDs intact:
 * Berth save → Docker load, and Docker save → Berth load. Without dockerd
 * this test fails and says how to install it; it does not skip.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerdBinary, type PeerDocker, startDockerd } from './dockerd.ts';

let d: TestDaemon;
let peer: PeerDocker | undefined;

async function idIn(run: (a: string[]) => Promise<{ code: number; stdout: string; stderr: string }>, ref: string) {
  const r = await run(['image', 'inspect', '--format', '{{.Id}}', ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  dockerdBinary(); // fails loudly, with the install command, when docker.io is missing
  d = await startDaemon();
  await loadBusybox(d);
  peer = await startDockerd();
});

after(async () => {
  await peer?.stop();
  await d?.cleanup();
});

test('an image saved by Berth loads into Docker with the same image ID', async () => {
  assert.ok(peer);
  const berthId = await idIn(d.dockerAsync, 'busybox:latest');
  const file = join(d.dir, 'from-berth.tar');
  const s = await d.dockerAsync(['save', '-o', file, 'busybox:latest']);
  assert.equal(s.code, 0, s.stderr);
  const l = await peer.docker(['load', '-i', file]);
  assert.equal(l.code, 0, `docker load into dockerd: ${l.stderr}\n${peer.log().slice(-2000)}`);
  assert.match(l.stdout, /Loaded image: busybox:latest/);
  assert.equal(await idIn(peer.docker, 'busybox:latest'), berthId);
  // Docker sees the same layers and config.
  const inspect = await peer.docker([
    'image',
    'inspect',
    '--format',
    '{{json .RootFS.Layers}} {{json .Config.Cmd}}',
    'busybox',
  ]);
  const mine = await d.dockerAsync([
    'image',
    'inspect',
    '--format',
    '{{json .RootFS.Layers}} {{json .Config.Cmd}}',
    'busybox',
  ]);
  assert.equal(inspect.stdout, mine.stdout);
});

test('an image saved by Docker loads into Berth with the same image ID', async () => {
  assert.ok(peer);
  // Docker makes its own image: two layers and a label, by its legacy builder (no container runs).
  const ctx = join(d.dir, 'ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'hello.txt'), 'made by dockerd\n');
  writeFileSync(
    join(ctx, 'Dockerfile'),
    'FROM busybox:latest\nCOPY hello.txt /srv/hello.txt\nLABEL made.by=docker\nENV GREETING=hi\nCMD ["cat", "/srv/hello.txt"]\n',
  );
  const b = await peer.docker(['build', '-t', 'from-docker:1', ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeoutMs: 120_000,
  });
  assert.equal(b.code, 0, `docker build in dockerd: ${b.stderr}`);
  const dockerId = await idIn(peer.docker, 'from-docker:1');
  const file = join(d.dir, 'from-docker.tar');
  const s = await peer.docker(['save', '-o', file, 'from-docker:1', 'busybox:latest']);
  assert.equal(s.code, 0, s.stderr);
  // Start Berth clean of busybox so both images come from Docker's archive.
  const rm = await d.dockerAsync(['rmi', 'busybox:latest']);
  assert.equal(rm.code, 0, rm.stderr);
  const l = await d.dockerAsync(['load', '-i', file]);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Loaded image: from-docker:1/);
  assert.equal(await idIn(d.dockerAsync, 'from-docker:1'), dockerId);
  const [i] = JSON.parse((await d.dockerAsync(['image', 'inspect', 'from-docker:1'])).stdout) as Array<{
    RootFS: { Layers: string[] };
    Config: { Labels: Record<string, string>; Env: string[] };
  }>;
  assert.equal(i.RootFS.Layers.length, 2);
  assert.equal(i.Config.Labels['made.by'], 'docker');
  assert.ok(i.Config.Env.includes('GREETING=hi'));
  // And back again: Berth's save of Docker's image loads into Docker as the same ID.
  const back = join(d.dir, 'back.tar');
  assert.equal((await d.dockerAsync(['save', '-o', back, 'from-docker:1'])).code, 0);
  assert.equal((await peer.docker(['rmi', 'from-docker:1'])).code, 0);
  const l2 = await peer.docker(['load', '-i', back]);
  assert.equal(l2.code, 0, l2.stderr);
  assert.equal(await idIn(peer.docker, 'from-docker:1'), dockerId);
});

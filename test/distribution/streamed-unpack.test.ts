/**
 * Issue 5: layers are unpacked while they download, side by side, and
 * stacked in order. A pull of several layers (gzip and plain, a whiteout
 * and an opaque directory across layers) gives the right tree, one snapshot
 * per layer and nothing else; a layer that is not what the config says
 * fails the pull and leaves no snapshot directory behind.
 */
import assert from 'node:assert/strict';
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readTar } from '../../src/store/tar-reader.ts';
import { makeTar } from '../../src/store/test-tar.ts';
import { startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, startDistribution } from './peers.ts';
import { pushImage, sha } from './registry-image.ts';

let d: TestDaemon;
let reg: Distribution;

const snapshotDirs = () => readdirSync(join(d.dataRoot, 'snapshots')).sort();

before(async () => {
  d = await startDaemon();
  reg = await startDistribution();
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
});

/** The names in the merged tree of `image`, from `docker export` of a created container. */
async function exportedNames(image: string): Promise<Map<string, string>> {
  const c = d.docker(['create', image, 'x']);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  const file = join(d.dir, 'export.tar');
  const r = await d.dockerAsync(['export', '-o', file, id]);
  d.docker(['rm', id]);
  assert.equal(r.code, 0, r.stderr);
  const out = new Map<string, string>();
  await readTar(createReadStream(file), async (e, body) => {
    const parts: Buffer[] = [];
    for await (const b of body) parts.push(b);
    out.set(e.name.replace(/^\.\//, '').replace(/\/$/, ''), Buffer.concat(parts).toString());
  });
  return out;
}

test('a pull of four layers: the merged tree is right, one snapshot per layer', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024, 'big layer text\n');
  const layers = [
    {
      tar: await makeTar([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/gone', content: 'removed by layer 2' },
        { name: 'etc/kept', content: 'kept' },
        { name: 'opt/', type: 'directory' },
        { name: 'opt/old', content: 'hidden by the opaque dir' },
      ]),
    },
    {
      tar: await makeTar([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/.wh.gone', content: '' },
        { name: 'opt/', type: 'directory' },
        { name: 'opt/.wh..wh..opq', content: '' },
        { name: 'opt/new', content: 'new' },
      ]),
    },
    { tar: await makeTar([{ name: 'big.txt', content: big }]), gzip: false },
    { tar: await makeTar([{ name: 'etc/kept', content: 'changed on top' }]) },
  ];
  await pushImage(reg.host, 'streamed/app', '1', layers);
  const before = snapshotDirs();
  const img = `${reg.host}/streamed/app:1`;
  const r = await d.dockerAsync(['pull', img]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(snapshotDirs().length, before.length + 4, `one directory per layer: ${snapshotDirs()}`);
  const inspect = d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', img]);
  assert.deepEqual(
    JSON.parse(inspect.stdout),
    layers.map((l) => sha(l.tar)),
  );
  const tree = await exportedNames(img);
  assert.equal(tree.get('etc/kept'), 'changed on top');
  assert.equal(tree.has('etc/gone'), false, 'the whiteout hides the file');
  assert.equal(tree.has('opt/old'), false, 'the opaque directory hides the old file');
  assert.equal(tree.get('opt/new'), 'new');
  assert.equal(tree.get('big.txt')?.length, big.length);
  assert.equal(d.docker(['rmi', img]).code, 0);
});

test('a layer that does not match its diffID: the pull fails and leaves no snapshot behind', async () => {
  const a = await makeTar([{ name: 'a.txt', content: 'a' }]);
  const b = await makeTar([{ name: 'b.txt', content: 'b' }]);
  const c = await makeTar([{ name: 'c.txt', content: 'c' }]);
  const other = await makeTar([{ name: 'claimed.txt', content: 'claimed' }]);
  // the third layer is unpacked (staged) by the time the second fails
  await pushImage(reg.host, 'streamed/liar', '1', [{ tar: a }, { tar: b }, { tar: c }], [sha(a), sha(other), sha(c)]);
  const before = snapshotDirs();
  const r = await d.dockerAsync(['pull', `${reg.host}/streamed/liar:1`]);
  assert.notEqual(r.code, 0, 'the pull fails');
  assert.match(r.stdout + r.stderr, /does not match its diffID/);
  assert.notEqual(d.docker(['image', 'inspect', `${reg.host}/streamed/liar:1`]).code, 0);
  // The first layer is fine and may stay as a snapshot; nothing unfinished stays.
  const added = snapshotDirs().filter((x) => !before.includes(x));
  for (const x of added) {
    assert.deepEqual(readdirSync(join(d.dataRoot, 'snapshots', x, 'fs')), ['a.txt'], `left behind: ${x}`);
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { digestOf } from '../lib/digest.ts';
import { FsContentStore } from './content.ts';
import { Database } from './db.ts';
import { collectGarbage } from './gc.ts';
import { OverlaySnapshotter } from './snapshots.ts';

let base: string;
let db: Database;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-gc-'));
  db = new Database(join(base, 'meta.db'));
});
after(async () => {
  db.close();
  await rm(base, { recursive: true, force: true });
});

it('removes unreferenced blobs and snapshots, keeping ancestors of live ones', async () => {
  const content = await new FsContentStore(join(base, 'content')).init();
  const snapshotter = await new OverlaySnapshotter(db, join(base, 'snapshots')).init();
  const keep = await content.writeBytes(Buffer.from('keep'));
  const drop = await content.writeBytes(Buffer.from('drop me'));
  const layer = async (key: string, parent?: string) => {
    const p = await snapshotter.prepareLayer(key, parent);
    return p.commit(digestOf(key), 10);
  };
  // a ← b ← c(live) ; a ← d (dead) ; e (dead) ; ctr on b (live active)
  await layer('a');
  await layer('b', 'a');
  await layer('c', 'b');
  await layer('d', 'a');
  await layer('e');
  await snapshotter.createActive('ctr', 'b');
  await snapshotter.createActive('ctr-dead', 'e');

  const r = await collectGarbage({
    content,
    snapshotter,
    liveBlobs: new Set([keep.digest]),
    liveSnapshots: new Set(['c', 'ctr']),
  });
  assert.deepEqual(r.blobs, [drop.digest]);
  assert.deepEqual([...r.snapshots].sort(), ['ctr-dead', 'd', 'e']);
  assert.equal(r.reclaimed, drop.size + 20);
  assert.deepEqual(
    snapshotter
      .list()
      .map((s) => s.key)
      .sort(),
    ['a', 'b', 'c', 'ctr'],
  );
  assert.equal(await content.has(keep.digest), true);
  assert.equal((await readdir(snapshotter.root)).length, 4, 'their directories are gone too');

  const again = await collectGarbage({ content, snapshotter, liveBlobs: new Set(), liveSnapshots: new Set() });
  assert.deepEqual([...again.snapshots].sort(), ['a', 'b', 'c', 'ctr']);
  assert.deepEqual(await readdir(snapshotter.root), []);
});

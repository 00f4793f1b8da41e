import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { digestOf } from '../lib/digest.ts';
import { native } from '../sys/native.ts';
import { FsContentStore } from './content.ts';
import { contentStoreSuite } from './content-suite.ts';

contentStoreSuite('FsContentStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-content-'));
  const store = await new FsContentStore(dir).init();
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('FsContentStore on disk', () => {
  it('keeps blobs under blobs/<alg>/<hex>, read-only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-content-'));
    try {
      const s = await new FsContentStore(dir).init();
      const { digest } = await s.writeBytes(Buffer.from('x'));
      const p = join(dir, 'blobs', 'sha256', digest.slice(7));
      assert.equal(s.path(digest), p);
      assert.equal((await stat(p)).mode & 0o777, 0o444);
      assert.deepEqual(await readdir(join(dir, 'ingest')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('commits a large ingest written past its early syncs, and aborts one while a sync is under way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-content-'));
    try {
      const s = await new FsContentStore(dir).init();
      const part = Buffer.alloc(1 << 20, 7);
      const w = await s.ingest('big');
      for (let i = 0; i < 70; i++) await w.write([part, part.subarray(0, 1000)]); // past two early syncs
      const info = await w.commit();
      assert.equal(info.size, 70 * ((1 << 20) + 1000));
      assert.equal((await stat(s.path(info.digest))).size, info.size);
      const w2 = await s.ingest('big-2');
      for (let i = 0; i < 33; i++) await w2.write(part);
      await w2.close();
      await s.abortIngest('big-2');
      assert.deepEqual(await readdir(join(dir, 'ingest')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('collects an ingest left behind by a killed process, by age', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-content-'));
    try {
      const s1 = await new FsContentStore(dir).init();
      const w = await s1.ingest('pull-layer');
      await w.write(Buffer.alloc(1000, 1));
      // no close: the "process" dies here; a new store instance starts over.
      const s2 = await new FsContentStore(dir).init();
      const [name] = await readdir(join(dir, 'ingest'));
      const old = new Date(Date.now() - 3600_000);
      await utimes(join(dir, 'ingest', name, 'data'), old, old);
      assert.equal(await s2.collectIngests(600_000), 1);
      assert.deepEqual(await readdir(join(dir, 'ingest')), []);
      await w.close().catch(() => {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('collects stray whole-blob temporaries too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-content-'));
    try {
      const s = await new FsContentStore(dir).init();
      await writeFile(join(dir, 'ingest', 'tmp-deadbeef'), 'partial');
      assert.equal(await s.collectIngests(0), 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('when the device is full', () => {
    let mnt: string | undefined;
    after(async () => {
      if (mnt) {
        native().umount2(mnt, 2);
        await rm(mnt, { recursive: true, force: true });
      }
    });

    it('reports ENOSPC clearly and leaves nothing behind', async () => {
      mnt = await mkdtemp(join(tmpdir(), 'berth-enospc-'));
      native().mount('tmpfs', mnt, 'tmpfs', 0, 'size=256k');
      const s = await new FsContentStore(join(mnt, 'store')).init();
      const big = Buffer.alloc(1024 * 1024, 3);
      const d = digestOf(big);
      const w = await s.ingest('big', { digest: d });
      await assert.rejects(
        (async () => {
          for (let i = 0; i < big.length; i += 64 * 1024) await w.write(big.subarray(i, i + 64 * 1024));
          await w.commit();
        })(),
        (e: Error) => {
          assert.match(e.message, /no space left on device while writing blob sha256:/);
          return true;
        },
      );
      assert.deepEqual(await readdir(join(mnt, 'store', 'ingest')), []);
      assert.equal(await s.has(d), false);
      await assert.rejects(s.writeBytes(big), /no space left on device while writing blob/);
      assert.deepEqual(await readdir(join(mnt, 'store', 'ingest')), []);
      assert.deepEqual(await readdir(join(mnt, 'store', 'blobs', 'sha256')), []);
      // the store still works once there is room
      await s.writeBytes(Buffer.from('small'));
      assert.ok(existsSync(s.path(digestOf('small'))));
    });
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Digest } from '../lib/digest.ts';
import { chainIds, digestOf } from '../lib/digest.ts';
import { Database } from './db.ts';
import { applyLayer } from './layer-apply.ts';
import { changes, diffLayer } from './layer-diff.ts';
import { MOUNT_DATA_MAX, overlayData, unmount } from './mount.ts';
import { OverlaySnapshotter } from './snapshots.ts';
import { readTar } from './tar-reader.ts';
import { bytesOf, makeTar, streamOf } from './test-tar.ts';

let base: string;
let db: Database;
let snaps: OverlaySnapshotter;
const mounted: string[] = [];
const EXT4_MAGIC = 0xef53;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-snap-'));
  db = new Database(join(base, 'meta.db'));
  snaps = await new OverlaySnapshotter(db, join(base, 'snapshots')).init();
});
after(async () => {
  for (const m of mounted.reverse()) unmount(m);
  db.close();
  await rm(base, { recursive: true, force: true });
});

function mountPoint(name: string): string {
  const p = join(base, 'mnt', name);
  mounted.push(p);
  return p;
}

/** Unpacks a layer made of `entries` on top of `parent`; returns its chain ID. */
async function addLayer(parent: string | undefined, entries: Parameters<typeof makeTar>[0]): Promise<string> {
  const tar = await makeTar(entries);
  const diffId = digestOf(tar);
  const key = parent ? digestOf(`${parent} ${diffId}`) : diffId;
  const p = await snaps.prepareLayer(key, parent);
  const r = await applyLayer(streamOf(tar), p.dir);
  await p.commit(r.diffId, r.size);
  return key;
}

describe('OverlaySnapshotter', () => {
  it('unpacks a layer again right after removing it, leaving no directory but the new one', async () => {
    const key = await addLayer(undefined, [{ name: 'a', content: 'a' }]);
    const before = new Set(await readdir(snaps.root));
    await snaps.remove(key);
    const again = await addLayer(undefined, [{ name: 'a', content: 'a' }]);
    assert.equal(again, key);
    const added = (await readdir(snaps.root)).filter((n) => !before.has(n));
    assert.deepEqual(added, [snaps.stat(key)?.short], 'given-up directories are removed');
    await snaps.remove(key);
  });

  it('marks its root as the top of unrelated trees (chattr +T) on ext4, so layers spread over block groups', async (t) => {
    if (statfsSync(snaps.root).type !== EXT4_MAGIC) {
      t.skip('not ext4');
      return;
    }
    const flags = execFileSync('lsattr', ['-d', snaps.root], { encoding: 'utf8' }).split(' ')[0];
    assert.match(flags, /T/);
  });

  it('makes a layer visible only on commit, and abort leaves the store as it was', async () => {
    const before = snaps.list();
    const dirsBefore = await readdir(snaps.root);
    const key = digestOf('layer-x');
    const p = await snaps.prepareLayer(key, undefined);
    await writeFile(join(p.dir, 'f'), 'x');
    assert.equal(snaps.stat(key), undefined);
    await p.abort();
    assert.deepEqual(snaps.list(), before);
    assert.deepEqual(await readdir(snaps.root), dirsBefore);
  });

  it('leaves the store as it was when a hostile layer is refused', async () => {
    const before = snaps.list();
    const dirsBefore = await readdir(snaps.root);
    const tar = await makeTar([
      { name: 'ok', content: 'fine' },
      { name: 'esc', type: 'symlink', linkname: '/' },
      { name: 'esc/tmp/pwned', content: 'x' },
    ]);
    const p = await snaps.prepareLayer(digestOf('hostile'), undefined);
    await assert.rejects(applyLayer(streamOf(tar), p.dir), /esc\/tmp\/pwned/);
    await p.abort();
    assert.deepEqual(snaps.list(), before);
    assert.deepEqual(await readdir(snaps.root), dirsBefore);
  });

  it('refuses a second snapshot under the same key, and unknown or active parents', async () => {
    const key = await addLayer(undefined, [{ name: 'only', content: '1' }]);
    await assert.rejects(snaps.prepareLayer(key, undefined), (e: Error & { kind?: string }) => e.kind === 'Conflict');
    await assert.rejects(snaps.createActive('c-x', 'nope'), (e: Error & { kind?: string }) => e.kind === 'NotFound');
    await snaps.createActive('c-active', key);
    await assert.rejects(
      snaps.createActive('c-y', 'c-active'),
      (e: Error & { kind?: string }) => e.kind === 'InvalidArgument',
    );
    await assert.rejects(snaps.remove(key), (e: Error & { kind?: string }) => e.kind === 'Conflict');
    await snaps.remove('c-active');
    await snaps.remove(key);
    assert.equal(snaps.stat(key), undefined);
  });

  it('keeps the first copy when two unpacks of one layer race', async () => {
    const key = digestOf('raced');
    const a = await snaps.prepareLayer(key, undefined);
    const b = await snaps.prepareLayer(key, undefined);
    const ia = await a.commit(digestOf('d'), 1);
    const ib = await b.commit(digestOf('d'), 1);
    assert.equal(ib.short, ia.short);
    assert.equal(existsSync(join(snaps.root, ia.short)), true);
    await snaps.remove(key);
  });

  it('stacks layers with overlay: whiteouts, opaque dirs, writes go to the upper dir', async () => {
    const l1 = await addLayer(undefined, [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/keep', content: 'keep' },
      { name: 'etc/remove-me', content: 'bye' },
      { name: 'var/', type: 'directory' },
      { name: 'var/old', content: 'old' },
    ]);
    const l2 = await addLayer(l1, [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.remove-me', content: '' },
      { name: 'etc/new', content: 'new' },
      { name: 'var/', type: 'directory' },
      { name: 'var/.wh..wh..opq', content: '' },
      { name: 'var/fresh', content: 'fresh' },
    ]);
    // a committed stack mounts read-only
    const ro = mountPoint('ro');
    snaps.mountAt(l2, ro);
    assert.deepEqual((await readdir(join(ro, 'etc'))).sort(), ['keep', 'new']);
    assert.deepEqual(await readdir(join(ro, 'var')), ['fresh']);
    await assert.rejects(writeFile(join(ro, 'x'), 'x'), /EROFS/);
    snaps.unmount(ro);

    const info = await snaps.createActive('ctr-1', l2);
    assert.equal(info.kind, 'active');
    const rw = mountPoint('rw');
    snaps.mountAt('ctr-1', rw);
    await writeFile(join(rw, 'etc/keep'), 'changed');
    await writeFile(join(rw, 'added'), 'a');
    await rm(join(rw, 'etc/new'));
    snaps.unmount(rw);
    const { upper, lowers } = snaps.dirs('ctr-1');
    assert.ok(upper);
    assert.equal(await readFile(join(upper, 'etc/keep'), 'utf8'), 'changed');
    assert.deepEqual(await changes(upper, lowers), [
      { Path: '/added', Kind: 1 },
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/keep', Kind: 0 },
      { Path: '/etc/new', Kind: 2 },
    ]);
    // the upper dir as a layer
    const names: string[] = [];
    await readTar(diffLayer(upper), async (e) => {
      names.push(`${e.type}:${e.name}`);
    });
    assert.deepEqual(names, ['file:added', 'dir:etc/', 'file:etc/keep', 'file:etc/.wh.new']);
  });

  it('mounts a single committed layer as a read-only bind, and an empty active one as a bind', async () => {
    const l = await addLayer(undefined, [{ name: 'solo', content: 'solo' }]);
    assert.equal(snaps.mounts(l)[0].type, 'bind');
    const m = mountPoint('solo');
    snaps.mountAt(l, m);
    assert.equal(await readFile(join(m, 'solo'), 'utf8'), 'solo');
    await assert.rejects(writeFile(join(m, 'x'), 'x'), /EROFS/);
    snaps.unmount(m);
    await snaps.createActive('empty-ctr', undefined);
    const e = mountPoint('empty');
    snaps.mountAt('empty-ctr', e);
    await writeFile(join(e, 'x'), 'x');
    snaps.unmount(e);
    assert.equal(await readFile(join(snaps.dirs('empty-ctr').upper!, 'x'), 'utf8'), 'x');
  });

  it('mounts images of 128 and 200 layers for real (overlay options within one page)', async () => {
    const cwd = process.cwd();
    const diffIds: Digest[] = [];
    let parent: string | undefined;
    for (let i = 0; i < 200; i++) {
      const tar = await makeTar([{ name: `f${i}`, content: String(i) }]);
      const diffId = digestOf(tar);
      diffIds.push(diffId);
      const key = chainIds(diffIds)[i];
      const p = await snaps.prepareLayer(key, parent);
      await applyLayer(streamOf(tar), p.dir);
      await p.commit(diffId, 1);
      parent = key;
    }
    assert.ok(
      snaps.list().every((s) => s.short.length <= 3),
      'short names are short',
    );
    // 128 layers fit in a page even under the default data root, via /proc/self/fd/N
    const chain = chainIds(diffIds);
    await snaps.createActive('ctr-128', chain[127]);
    const lowers128 = snaps.dirs('ctr-128').lowers;
    assert.equal(lowers128.length, 128);
    const longRoot = '/var/lib/berth/snapshots';
    // as if 46,656 snapshots had been made (4-character short names)
    const asIfDefault = lowers128.map((_, i) => `${longRoot}/${(36 ** 3 + i).toString(36)}/fs`);
    const opts = [
      `lowerdir=${asIfDefault.join(':')}`,
      `upperdir=${longRoot}/zzz/fs`,
      `workdir=${longRoot}/zzz/work`,
      'index=off',
    ];
    assert.ok(overlayData(opts).length > MOUNT_DATA_MAX, 'the plain options would not fit');
    const short = overlayData(opts, { dir: longRoot, prefix: '/proc/self/fd/999/' });
    assert.ok(short.length <= MOUNT_DATA_MAX, `128 layers shortened: ${short.length} bytes`);
    assert.ok(
      overlayData(snaps.mounts('ctr-128')[0].options).length > MOUNT_DATA_MAX,
      'the real mount needs shortening',
    );

    for (const [key, n] of [
      ['ctr-128', 128],
      ['ctr-200', 200],
    ] as const) {
      if (n === 200) await snaps.createActive(key, chain[199]);
      const m = mountPoint(key);
      snaps.mountAt(key, m);
      const files = await readdir(m);
      for (let i = 0; i < n; i++) assert.ok(files.includes(`f${i}`), `f${i} in ${key}`);
      assert.equal(files.length, n);
      assert.equal(await readFile(join(m, `f${n - 1}`), 'utf8'), String(n - 1));
      await writeFile(join(m, 'w'), key);
      snaps.unmount(m);
      assert.equal(await readFile(join(snaps.dirs(key).upper!, 'w'), 'utf8'), key);
    }
    assert.equal(process.cwd(), cwd, 'the working directory is restored');
  });

  it('collects orphan directories left by a crash, and keeps short names unique after restart', async () => {
    await mkdir(join(snaps.root, 'zz9'));
    assert.equal(await snaps.collectOrphans(), 1);
    const again = await new OverlaySnapshotter(db, snaps.root).init();
    const key = digestOf('after-restart');
    const p = await again.prepareLayer(key, undefined);
    const info = await p.commit(digestOf('x'), 0);
    assert.equal(snaps.list().filter((s) => s.short === info.short).length, 1);
    const diff = await bytesOf(diffLayer(p.dir));
    assert.equal(diff.length, 1024, 'an empty layer is just the end blocks');
  });
});

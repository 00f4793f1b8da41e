import assert from 'node:assert/strict';
import { link, lstat, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digestOf } from '../lib/digest.ts';
import { native } from '../sys/native.ts';
import { applyLayer } from './layer-apply.ts';
import { diffLayer, tarDirectory } from './layer-diff.ts';
import type { TarEntry } from './tar-format.ts';
import { readTar } from './tar-reader.ts';
import { bytesOf, makeTar, streamOf } from './test-tar.ts';

let base: string;
let n = 0;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-diff-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});
const fresh = () => join(base, `d${n++}`);

async function entries(tar: Buffer): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  await readTar(streamOf(tar), async (e) => {
    out.push(e);
  });
  return out;
}

describe('diffLayer', () => {
  it('round trip: apply, diff, apply again gives the same diffID and the same bytes', async () => {
    const cap = Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // binary xattr value
    const src = await makeTar([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/ping', content: 'ping', mode: 0o4755, uid: 0, gid: 0 },
      { name: 'bin/ping2', type: 'link', linkname: 'bin/ping' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.shadow', content: '' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/.wh..wh..opq', content: '' },
      { name: 'opt/app', content: 'app', uid: 1000, gid: 1000, mode: 0o600 },
      { name: 'sbin', type: 'symlink', linkname: 'bin' },
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/fifo', type: 'fifo' },
      { name: `deep/${'x'.repeat(120)}/${'y'.repeat(120)}`, content: 'long' },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'tmp/x', content: 'x', pax: { 'SCHILY.xattr.user.note': 'hello' } },
    ]);
    const d1 = fresh();
    await applyLayer(streamOf(src), d1);
    native().lsetxattr(join(d1, 'bin/ping'), 'security.capability', cap);

    const tar1 = await bytesOf(diffLayer(d1));
    const d2 = fresh();
    const r2 = await applyLayer(streamOf(tar1), d2);
    assert.equal(r2.diffId, digestOf(tar1));
    const tar2 = await bytesOf(diffLayer(d2));
    assert.equal(digestOf(tar2), digestOf(tar1), 'same tree, same bytes');

    const byName = new Map((await entries(tar1)).map((e) => [e.name, e]));
    assert.equal(byName.get('etc/.wh.shadow')?.type, 'file');
    assert.equal(byName.get('opt/.wh..wh..opq')?.type, 'file');
    assert.equal(byName.get('bin/ping2')?.type, 'link');
    assert.equal(byName.get('bin/ping2')?.linkname, 'bin/ping');
    assert.equal(byName.get('bin/ping')?.mode, 0o4755);
    assert.deepEqual(byName.get('bin/ping')?.xattrs.get('security.capability'), cap, 'binary xattr kept');
    assert.equal(byName.get('tmp/x')?.xattrs.get('user.note')?.toString(), 'hello');
    assert.equal(byName.get('opt/')?.xattrs.size, 0, 'no trusted.overlay.* in the tar');
    assert.equal(byName.get('opt/app')?.uid, 1000);
    assert.equal(byName.get('dev/null')?.devminor, 3);
    assert.equal(byName.get('tmp/')?.mode, 0o1777);
    const names = [...byName.keys()];
    assert.deepEqual(
      names,
      [...names].sort((a, b) => (a.replace(/\/$/, '') < b.replace(/\/$/, '') ? -1 : 1)),
      'sorted',
    );
    assert.ok(names.indexOf('opt/') < names.indexOf('opt/.wh..wh..opq'));
    // the overlay whiteout came back as a whiteout
    const wh = await lstat(join(d2, 'etc/shadow'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
    assert.deepEqual(native().lgetxattr(join(d2, 'bin/ping'), 'security.capability'), cap);
  });

  it('writes no atime or ctime and keeps whole-second mtimes', async () => {
    const d = fresh();
    await mkdir(d);
    await writeFile(join(d, 'f'), 'f');
    await utimes(join(d, 'f'), 1_000_000.75, 1_700_000_000.5);
    const tar = await bytesOf(diffLayer(d));
    assert.ok(!tar.includes('atime') && !tar.includes('ctime'));
    const [e] = await entries(tar);
    assert.equal(e.mtime, 1_700_000_000);
  });
});

describe('tarDirectory', () => {
  it('archives a tree under a prefix, with hardlinks, symlinks and the root', async () => {
    const d = fresh();
    await mkdir(join(d, 'sub'), { recursive: true });
    await writeFile(join(d, 'sub/a'), 'a');
    await link(join(d, 'sub/a'), join(d, 'b'));
    await symlink('sub/a', join(d, 'c'));
    const tar = await bytesOf(tarDirectory(d, { prefix: 'data', includeRoot: true }));
    const es = await entries(tar);
    assert.deepEqual(
      es.map((e) => `${e.type}:${e.name}${e.linkname ? `>${e.linkname}` : ''}`),
      ['dir:data/', 'file:data/b', 'symlink:data/c>sub/a', 'dir:data/sub/', 'link:data/sub/a>data/b'],
    );
    const out = fresh();
    await applyLayer(streamOf(tar), out, { whiteouts: false });
    assert.equal(await readFile(join(out, 'data/sub/a'), 'utf8'), 'a');
  });

  it('archives a single file under its own name', async () => {
    const d = fresh();
    await mkdir(d);
    await writeFile(join(d, 'hosts'), '127.0.0.1 localhost\n');
    const es = await entries(await bytesOf(tarDirectory(join(d, 'hosts'))));
    assert.deepEqual(
      es.map((e) => [e.name, e.size]),
      [['hosts', 20]],
    );
  });

  it('keeps overlay whiteouts as devices (no .wh. conversion)', async () => {
    const d = fresh();
    await mkdir(d);
    native().mknod(join(d, 'gone'), 0o020000, 0, 0);
    const es = await entries(await bytesOf(tarDirectory(d)));
    assert.deepEqual(
      es.map((e) => `${e.type}:${e.name}`),
      ['char:gone'],
    );
  });
});

import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { native } from '../sys/native.ts';
import { ParallelFiles } from './parallel-files.ts';
import type { TarEntry } from './tar-format.ts';

let base: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-pfiles-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

function entry(i: number, xattrs: Array<[string, Buffer]> = []): TarEntry {
  return {
    name: `f${i}`,
    type: 'file',
    mode: i % 2 ? 0o4755 : 0o640,
    uid: 1000 + i,
    gid: 2000 + i,
    size: 0,
    mtime: 1_600_000_000.25 + i,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(xattrs),
  };
}

describe('ParallelFiles', () => {
  it('writes files in batches with their data, owner, mode (setuid after chown), mtime and xattrs', async () => {
    const dir = await mkdtemp(join(base, 'ok-'));
    const files = new ParallelFiles((name) => !name.startsWith('trusted.overlay.'));
    const n = 100; // several batches
    for (let i = 0; i < n; i++) {
      const chunks = i % 3 ? [Buffer.from(`file ${i} `), Buffer.from('two chunks')] : [];
      const xs: Array<[string, Buffer]> = [
        ['user.n', Buffer.from(String(i))],
        ['trusted.overlay.opaque', Buffer.from('y')],
      ];
      await files.add(join(dir, `f${i}`), chunks, Buffer.concat(chunks).length, entry(i, xs));
    }
    assert.ok(files.busy);
    await files.wait(join(dir, 'f98')); // in the batch not yet sent: sends it
    assert.equal(await readFile(join(dir, 'f98'), 'utf8'), 'file 98 two chunks');
    await files.drain();
    assert.equal(files.busy, false);
    for (let i = 0; i < n; i++) {
      const p = join(dir, `f${i}`);
      const st = await stat(p);
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1000 + i, 2000 + i, i % 2 ? 0o4755 : 0o640]);
      assert.equal(st.mtimeMs, (1_600_000_000.25 + i) * 1000);
      assert.equal(await readFile(p, 'utf8'), i % 3 ? `file ${i} two chunks` : '');
      assert.equal(native().lgetxattr(p, 'user.n')?.toString(), String(i));
      assert.equal(native().lgetxattr(p, 'trusted.overlay.opaque'), undefined, 'filtered out');
    }
  });

  it('reports the first failure, with its code and path, at drain', async () => {
    const dir = await mkdtemp(join(base, 'bad-'));
    const files = new ParallelFiles(() => true);
    await files.add(join(dir, 'a'), [Buffer.from('a')], 1, entry(1));
    await files.add(join(dir, 'missing', 'b'), [Buffer.from('b')], 1, entry(2));
    await assert.rejects(files.drain(), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /open .*missing\/b/);
      return true;
    });
    assert.ok((await lstat(join(dir, 'a'))).isFile());
    assert.throws(() => files.check(), { code: 'ENOENT' });
  });
});

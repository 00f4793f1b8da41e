import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { native } from '../sys/native.ts';
import { applyLayer } from './layer-apply.ts';
import { major, minor } from './tar-writer.ts';
import { gnuLong, makeTar, streamOf, withoutEnd } from './test-tar.ts';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let base: string;
let n = 0;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-apply-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const d = join(base, `t${n++}`, 'layer');
  await mkdir(d, { recursive: true });
  return d;
}

describe('applyLayer', () => {
  it('applies every kind of entry with owners, modes, times and xattrs', async () => {
    const dir = await freshDir();
    const t = new Date(1_600_000_000_000);
    const tar = await makeTar([
      { name: 'etc/', type: 'directory', mode: 0o755, mtime: t },
      { name: 'etc/passwd', content: 'root:x:0:0\n', mode: 0o644, uid: 0, gid: 0 },
      { name: 'usr/', type: 'directory', mode: 0o755 },
      { name: 'usr/bin/', type: 'directory', mode: 0o755 },
      { name: 'usr/bin/su', content: 'su', mode: 0o4755, uid: 0, gid: 0 },
      { name: 'usr/bin/owned', content: 'o', mode: 0o640, uid: 1234, gid: 5678 },
      { name: 'tmp/', type: 'directory', mode: 0o1777, mtime: t },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin', uid: 7, gid: 8 },
      { name: 'usr/bin/su-again', type: 'link', linkname: 'usr/bin/su' },
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/loop9', type: 'block-device', devmajor: 7, devminor: 9, mode: 0o660 },
      { name: 'dev/pipe', type: 'fifo', mode: 0o600 },
      { name: 'etc/x', content: 'x', pax: { 'SCHILY.xattr.user.color': 'blue' } },
    ]);
    const r = await applyLayer(streamOf(tar), dir);
    assert.equal(r.diffId, sha(tar));
    assert.equal(r.tarSize, tar.length);
    assert.equal(r.size, 'root:x:0:0\n'.length + 2 + 1 + 1);
    assert.equal(await readFile(join(dir, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
    const su = await stat(join(dir, 'usr/bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755, 'setuid kept');
    assert.equal(su.nlink, 2);
    assert.equal((await stat(join(dir, 'usr/bin/su-again'))).ino, su.ino);
    const owned = await stat(join(dir, 'usr/bin/owned'));
    assert.deepEqual([owned.uid, owned.gid, owned.mode & 0o777], [1234, 5678, 0o640]);
    assert.equal((await stat(join(dir, 'tmp'))).mode & 0o7777, 0o1777, 'sticky kept');
    assert.equal((await stat(join(dir, 'tmp'))).mtimeMs, t.getTime(), 'dir mtime set after children');
    assert.equal((await stat(join(dir, 'etc'))).mtimeMs, t.getTime());
    assert.equal((await stat(join(dir, 'etc/passwd'))).mtimeMs, 1_700_000_000_000);
    assert.equal(await readlink(join(dir, 'bin')), 'usr/bin');
    const link = await lstat(join(dir, 'bin'));
    assert.deepEqual([link.uid, link.gid], [7, 8]);
    const nul = await lstat(join(dir, 'dev/null'));
    assert.ok(nul.isCharacterDevice());
    assert.deepEqual([major(nul.rdev), minor(nul.rdev), nul.mode & 0o777], [1, 3, 0o666]);
    const loop = await lstat(join(dir, 'dev/loop9'));
    assert.ok(loop.isBlockDevice());
    assert.deepEqual([major(loop.rdev), minor(loop.rdev)], [7, 9]);
    assert.ok((await lstat(join(dir, 'dev/pipe'))).isFIFO());
    assert.equal(native().lgetxattr(join(dir, 'etc/x'), 'user.color')?.toString(), 'blue');
  });

  it('turns OCI whiteouts into overlay whiteouts', async () => {
    const dir = await freshDir();
    const tar = await makeTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.gone', content: '' },
      { name: 'opaque/', type: 'directory' },
      { name: 'opaque/.wh..wh..opq', content: '' },
      { name: 'opaque/kept', content: 'k' },
      { name: '.wh.toplevel', content: '' },
    ]);
    await applyLayer(streamOf(tar), dir);
    for (const p of ['etc/gone', 'toplevel']) {
      const st = await lstat(join(dir, p));
      assert.ok(st.isCharacterDevice(), p);
      assert.equal(st.rdev, 0);
    }
    assert.equal(native().lgetxattr(join(dir, 'opaque'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(await readFile(join(dir, 'opaque/kept'), 'utf8'), 'k');
    assert.deepEqual((await readdir(join(dir, 'etc'))).sort(), ['gone']);
  });

  it('reads gzip, zstd and plain tar with the same diffID', async () => {
    const tar = await makeTar([{ name: 'a', content: 'hello'.repeat(1000) }]);
    for (const data of [tar, gzipSync(tar), zstdCompressSync(tar)]) {
      const dir = await freshDir();
      const r = await applyLayer(streamOf(data, 100), dir);
      assert.equal(r.diffId, sha(tar));
      assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'hello'.repeat(1000));
    }
  });

  it('handles PAX long names, GNU long names and long link names', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const longLink = `${'x'.repeat(200)}`;
    const gnuName = `${'g'.repeat(130)}/${'h'.repeat(130)}`;
    const tar = Buffer.concat([
      withoutEnd(
        await makeTar([
          { name: `${'d'.repeat(120)}/`, type: 'directory' },
          { name: long, content: 'pax' },
          { name: 'ln', type: 'symlink', linkname: longLink },
          { name: `${'g'.repeat(130)}/`, type: 'directory' },
        ]),
      ),
      gnuLong('L', gnuName),
      withoutEnd(await makeTar([{ name: 'ignored-short-name', content: 'gnu' }])),
      gnuLong('K', longLink),
      await makeTar([{ name: 'ln2', type: 'symlink', linkname: 'short' }]),
    ]);
    const dir = await freshDir();
    await applyLayer(streamOf(tar), dir);
    assert.equal(await readFile(join(dir, long), 'utf8'), 'pax');
    assert.equal(await readlink(join(dir, 'ln')), longLink);
    assert.equal(await readFile(join(dir, gnuName), 'utf8'), 'gnu');
    assert.equal(await readlink(join(dir, 'ln2')), longLink);
  });

  it('follows a relative symlink that stays inside the layer', async () => {
    const dir = await freshDir();
    const tar = await makeTar([
      { name: 'real/', type: 'directory' },
      { name: 'alias', type: 'symlink', linkname: 'real' },
      { name: 'alias/file', content: 'in real' },
    ]);
    await applyLayer(streamOf(tar), dir);
    assert.equal(await readFile(join(dir, 'real/file'), 'utf8'), 'in real');
    assert.ok((await lstat(join(dir, 'alias'))).isSymbolicLink());
  });

  it('writes many small files (batches on the thread pool) and orders what depends on them', async () => {
    const dir = await freshDir();
    const entries: Parameters<typeof makeTar>[0] = [{ name: 'd/', type: 'directory' }];
    for (let i = 0; i < 150; i++) entries.push({ name: `d/f${i}`, content: `content ${i}`, uid: i, mode: 0o600 + i });
    entries.push(
      { name: 'd/f3', content: 'replaced' }, // the same path again, its first write maybe not sent yet
      { name: 'd/hard', type: 'link', linkname: 'd/f7' }, // a hardlink to a file maybe not written yet
      { name: 'd/f5', type: 'symlink', linkname: 'f6' },
      { name: 'd/.wh.f9', content: '' }, // a whiteout over a file of this layer
    );
    await applyLayer(streamOf(await makeTar(entries)), dir);
    assert.equal(await readFile(join(dir, 'd/f149'), 'utf8'), 'content 149');
    assert.equal((await stat(join(dir, 'd/f100'))).uid, 100);
    assert.equal((await stat(join(dir, 'd/f100'))).mode & 0o777, 0o600 + 100);
    assert.equal(await readFile(join(dir, 'd/f3'), 'utf8'), 'replaced');
    assert.equal((await stat(join(dir, 'd/hard'))).ino, (await stat(join(dir, 'd/f7'))).ino);
    assert.equal(await readFile(join(dir, 'd/hard'), 'utf8'), 'content 7');
    assert.equal(await readlink(join(dir, 'd/f5')), 'f6');
    assert.ok((await lstat(join(dir, 'd/f9'))).isCharacterDevice());
  });

  it('replaces an existing entry rather than writing through it', async () => {
    const dir = await freshDir();
    const tar = await makeTar([
      { name: 'target', content: 'original' },
      { name: 'x', type: 'symlink', linkname: 'target' },
      { name: 'x', content: 'new file' },
    ]);
    await applyLayer(streamOf(tar), dir);
    assert.equal(await readFile(join(dir, 'target'), 'utf8'), 'original');
    assert.equal(await readFile(join(dir, 'x'), 'utf8'), 'new file');
  });
});

describe('applyLayer refuses hostile or broken archives', () => {
  // Each case: entries, and a pattern the error message must match.
  const outside = () => join(base, 'outside');
  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ['a ../ entry', () => makeTar([{ name: '../evil', content: 'x' }]), /"\.\.\/evil".*escapes/],
    [
      'a ../ entry hidden in the middle',
      () => makeTar([{ name: 'a/../../evil', content: 'x' }]),
      /"a\/\.\.\/\.\.\/evil".*escapes/,
    ],
    ['an absolute entry', () => makeTar([{ name: '/etc/evil', content: 'x' }]), /"\/etc\/evil".*absolute/],
    [
      'a file written through an absolute symlink',
      () =>
        makeTar([
          { name: 'escape', type: 'symlink', linkname: outside() },
          { name: 'escape/pwned', content: 'x' },
        ]),
      /"escape\/pwned".*symlink "escape".*outside/,
    ],
    [
      'a file written through a relative symlink that climbs out',
      () =>
        makeTar([
          { name: 'sub/', type: 'directory' },
          { name: 'sub/escape', type: 'symlink', linkname: '../../outside' },
          { name: 'sub/escape/pwned', content: 'x' },
        ]),
      /"sub\/escape\/pwned".*outside/,
    ],
    [
      'a file written through a chain of symlinks that climbs out',
      () =>
        makeTar([
          { name: 'a', type: 'symlink', linkname: 'b/..' },
          { name: 'b/', type: 'directory' },
          { name: 'c', type: 'symlink', linkname: 'a/../..' },
          { name: 'c/pwned', content: 'x' },
        ]),
      /"c\/pwned".*outside/,
    ],
    [
      'a hardlink to a path outside',
      () => makeTar([{ name: 'hl', type: 'link', linkname: '../outside/secret' }]),
      /hardlink target of "hl".*escapes/,
    ],
    [
      'a hardlink to an absolute path',
      () => makeTar([{ name: 'hl', type: 'link', linkname: '/etc/passwd' }]),
      /hardlink target of "hl".*absolute/,
    ],
    [
      'a hardlink through a symlink to outside',
      () =>
        makeTar([
          { name: 'out', type: 'symlink', linkname: '/etc' },
          { name: 'hl', type: 'link', linkname: 'out/passwd' },
        ]),
      /"hl".*symlink "out".*outside/,
    ],
    [
      'a hardlink to a missing file',
      () => makeTar([{ name: 'hl', type: 'link', linkname: 'nothere' }]),
      /"hl" -> "nothere".*does not exist/,
    ],
  ];

  for (const [what, build, msg] of cases) {
    it(`refuses ${what}`, async () => {
      const dir = await freshDir();
      await rm(outside(), { recursive: true, force: true });
      await mkdir(outside());
      const tar = await build();
      await assert.rejects(applyLayer(streamOf(tar), dir), (e: Error & { kind?: string }) => {
        assert.equal(e.kind, 'InvalidArgument', e.stack);
        assert.match(e.message, msg);
        return true;
      });
      assert.deepEqual(await readdir(outside()), [], 'nothing written outside');
    });
  }

  it('refuses a truncated tar', async () => {
    const tar = await makeTar([
      { name: 'a', content: 'a'.repeat(5000) },
      { name: 'b', content: 'b' },
    ]);
    for (const cut of [100, 512, 2000, 5632, tar.length - 1024]) {
      await assert.rejects(
        applyLayer(streamOf(tar.subarray(0, cut)), await freshDir()),
        /unexpected end of layer archive/,
        `cut at ${cut}`,
      );
    }
  });

  it('refuses a truncated gzip or zstd stream', async () => {
    const tar = await makeTar([{ name: 'a', content: Buffer.from(Array.from({ length: 50000 }, (_, i) => i % 251)) }]);
    const gz = gzipSync(tar);
    await assert.rejects(
      applyLayer(streamOf(gz.subarray(0, gz.length - 40)), await freshDir()),
      /unexpected end of layer archive/,
    );
    const zs = zstdCompressSync(tar);
    await assert.rejects(
      applyLayer(streamOf(zs.subarray(0, zs.length - 40)), await freshDir()),
      (e: Error & { kind?: string }) => {
        assert.equal(e.kind, 'InvalidArgument', e.stack);
        return true;
      },
    );
  });

  it('refuses garbage', async () => {
    await assert.rejects(applyLayer(streamOf(Buffer.alloc(2048, 'x')), await freshDir()), /not a tar archive/);
  });
});

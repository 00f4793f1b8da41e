/** The one driver test suite: every storage driver runs it. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../lib/errors.ts';
import type { StorageDriver } from './driver.ts';
import { FsDriver } from './fs-driver.ts';
import { MemoryDriver } from './memory-driver.ts';

async function text(d: StorageDriver, key: string, range?: { start: number; end?: number }): Promise<string> {
  const chunks: Buffer[] = [];
  // A chunk is only valid until the sink settles: keep a copy.
  await d.read(key, range, async (c) => void chunks.push(Buffer.from(c)));
  return Buffer.concat(chunks).toString();
}

const drivers: [string, () => Promise<{ d: StorageDriver; done: () => Promise<void> }>][] = [
  ['inmemory', async () => ({ d: new MemoryDriver(), done: async () => {} })],
  [
    'filesystem',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'berth-driver-'));
      return { d: new FsDriver(dir), done: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
];

for (const [name, make] of drivers) {
  describe(`storage driver suite: ${name}`, () => {
    const withDriver = (fn: (d: StorageDriver) => Promise<void>) => async () => {
      const { d, done } = await make();
      try {
        await fn(d);
      } finally {
        await done();
      }
    };

    test(
      'put, get, stat and overwrite',
      withDriver(async (d) => {
        await d.putContent('a/b/c', Buffer.from('one'));
        assert.equal((await d.getContent('a/b/c')).toString(), 'one');
        const s = await d.stat('a/b/c');
        assert.equal(s?.size, 3);
        assert.equal(s?.isDir, false);
        assert.ok(s!.modTime > Date.now() - 60_000);
        assert.equal((await d.stat('a/b'))?.isDir, true);
        await d.putContent('a/b/c', Buffer.from('second'));
        assert.equal((await d.getContent('a/b/c')).toString(), 'second');
        assert.equal(await d.stat('a/x'), undefined);
        await assert.rejects(d.getContent('a/x'), NotFoundError);
        await assert.rejects(
          d.read('a/x', undefined, async () => {}),
          NotFoundError,
        );
      }),
    );

    test(
      'readers stream ranges',
      withDriver(async (d) => {
        await d.putContent('r', Buffer.from('0123456789'));
        assert.equal(await text(d, 'r'), '0123456789');
        assert.equal(await text(d, 'r', { start: 3, end: 5 }), '345');
        assert.equal(await text(d, 'r', { start: 7 }), '789');
      }),
    );

    test(
      'reads hand out chunks of at most 1 MiB, in order, and stop at a failing sink',
      withDriver(async (d) => {
        const big = randomBytes(2.5 * 1024 * 1024 + 7);
        await d.putContent('big', big);
        const sizes: number[] = [];
        const copies: Buffer[] = [];
        await d.read('big', { start: 5 }, async (c) => {
          sizes.push(c.length);
          copies.push(Buffer.from(c));
        });
        assert.ok(sizes.length >= 3 && sizes.every((n) => n <= 1024 * 1024), `chunk sizes ${sizes}`);
        assert.ok(Buffer.concat(copies).equals(big.subarray(5)));
        let calls = 0;
        await assert.rejects(
          d.read('big', undefined, async () => {
            calls++;
            throw new Error('sink failed');
          }),
          /sink failed/,
        );
        assert.equal(calls, 1);
        assert.equal(
          await text(d, 'big', { start: 1024 * 1024 - 1, end: 1024 * 1024 }),
          big.subarray(1024 * 1024 - 1, 1024 * 1024 + 1).toString(),
        );
      }),
    );

    test(
      'list gives sorted immediate children',
      withDriver(async (d) => {
        for (const k of ['p/b/x', 'p/a/y/z', 'p/c', 'q/d']) await d.putContent(k, Buffer.from(k));
        assert.deepEqual(await d.list('p'), ['a', 'b', 'c']);
        assert.deepEqual(await d.list('p/a'), ['y']);
        assert.deepEqual(await d.list('nothing'), []);
      }),
    );

    test(
      'writers append, commit and cancel only their own bytes',
      withDriver(async (d) => {
        const w = await d.writer('u/data', false);
        await w.write(Buffer.from('abc'));
        await w.write(Buffer.from('def'));
        assert.equal(w.size, 6);
        await w.commit();
        const w2 = await d.writer('u/data', true);
        assert.equal(w2.size, 6);
        await w2.write(Buffer.from('XYZ'));
        await w2.cancel();
        assert.equal((await d.getContent('u/data')).toString(), 'abcdef');
        const w3 = await d.writer('u/data', true);
        await w3.write(Buffer.from('g'));
        await w3.commit();
        assert.equal((await d.getContent('u/data')).toString(), 'abcdefg');
        assert.equal((await d.stat('u/data'))?.size, 7);
      }),
    );

    test(
      'move replaces the destination; delete removes prefixes',
      withDriver(async (d) => {
        await d.putContent('m/src', Buffer.from('new'));
        await d.putContent('m/dst/data', Buffer.from('old'));
        await d.move('m/src', 'm/dst/data');
        assert.equal((await d.getContent('m/dst/data')).toString(), 'new');
        assert.equal(await d.stat('m/src'), undefined);
        await assert.rejects(d.move('m/src', 'm/other'), NotFoundError);
        await d.putContent('m/dst/more/x', Buffer.from('x'));
        await d.delete('m/dst');
        assert.equal(await d.stat('m/dst'), undefined);
        assert.deepEqual(await d.list('m'), []);
        await d.delete('m/never');
      }),
    );

    test(
      'keys that escape are refused',
      withDriver(async (d) => {
        await assert.rejects(d.putContent('../x', Buffer.from('x')));
        await assert.rejects(d.putContent('a//b', Buffer.from('x')));
        await assert.rejects(d.getContent('/etc/passwd'));
      }),
    );
  });
}

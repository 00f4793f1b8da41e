/**
 * The test suite every ContentStore implementation runs:
 *
 *   contentStoreSuite('fs', async () => ({ store, cleanup }))
 *
 * It checks the contract of src/store/types.ts only (no layout details).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { type Digest, digestOf } from '../lib/digest.ts';
import type { ContentStore } from './types.ts';

export interface SuiteFixture {
  store: ContentStore;
  cleanup(): Promise<void>;
}

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listAll(store: ContentStore): Promise<Digest[]> {
  const out: Digest[] = [];
  for await (const b of store.list()) out.push(b.digest);
  return out;
}

function withStore(make: () => Promise<SuiteFixture>, fn: (store: ContentStore) => Promise<void>): () => Promise<void> {
  return async () => {
    const f = await make();
    try {
      await fn(f.store);
    } finally {
      await f.cleanup();
    }
  };
}

export function contentStoreSuite(name: string, make: () => Promise<SuiteFixture>): void {
  describe(`ContentStore suite: ${name}`, () => {
    it(
      'writes, reads, stats, lists and deletes a blob',
      withStore(make, async (s) => {
        const data = Buffer.from('hello blob');
        const d = digestOf(data);
        assert.equal(await s.has(d), false);
        assert.equal(await s.stat(d), undefined);
        const info = await s.writeBytes(data);
        assert.deepEqual(info, { digest: d, size: data.length });
        assert.equal(await s.has(d), true);
        assert.deepEqual(await s.stat(d), { digest: d, size: data.length });
        assert.deepEqual(await s.readBytes(d), data);
        assert.deepEqual(await collect(s.readStream(d)), data);
        assert.deepEqual(await collect(s.readStream(d, { start: 6 })), Buffer.from('blob'));
        assert.deepEqual(await collect(s.readStream(d, { start: 0, end: 4 })), Buffer.from('hello'));
        assert.deepEqual(await listAll(s), [d]);
        // idempotent
        assert.deepEqual(await s.writeBytes(data, d), info);
        await s.delete(d);
        assert.equal(await s.has(d), false);
        assert.deepEqual(await listAll(s), []);
      }),
    );

    it(
      'rejects a wrong expected digest on writeBytes and stores nothing',
      withStore(make, async (s) => {
        const wrong = digestOf('other');
        await assert.rejects(s.writeBytes(Buffer.from('abc'), wrong), (e: Error & { kind?: string }) => {
          assert.equal(e.kind, 'InvalidArgument');
          assert.match(e.message, new RegExp(wrong));
          assert.match(e.message, new RegExp(digestOf('abc')));
          return true;
        });
        assert.deepEqual(await listAll(s), []);
      }),
    );

    it(
      'reports missing blobs as NotFound',
      withStore(make, async (s) => {
        const d = digestOf('missing');
        const isNotFound = (e: Error & { kind?: string }) => e.kind === 'NotFound';
        await assert.rejects(s.readBytes(d), isNotFound);
        assert.throws(() => s.path(d), isNotFound);
        assert.throws(() => s.readStream(d), isNotFound);
        await assert.rejects(s.delete(d), isNotFound);
      }),
    );

    it(
      'commits an ingest only after checking digest and size',
      withStore(make, async (s) => {
        const data = Buffer.alloc(300_000, 7);
        const d = digestOf(data);
        const w = await s.ingest('layer-1', { digest: d, size: data.length });
        assert.equal(w.offset, 0);
        await w.write(data.subarray(0, 1000));
        assert.equal(await s.has(d), false, 'nothing visible before commit');
        await w.writeStream(Readable.from([data.subarray(1000)]));
        assert.equal(w.offset, data.length);
        assert.deepEqual(await w.commit(), { digest: d, size: data.length });
        assert.deepEqual(await s.readBytes(d), data);
        // the ref is free again
        const again = await s.ingest('layer-1');
        assert.equal(again.offset, 0);
        await again.close();
        await s.abortIngest('layer-1');
      }),
    );

    it(
      'resumes an ingest at its offset',
      withStore(make, async (s) => {
        const data = Buffer.from('0123456789abcdef'.repeat(1000));
        const d = digestOf(data);
        const w1 = await s.ingest('resume-me', { digest: d });
        await w1.write(data.subarray(0, 5000));
        await w1.close();
        const w2 = await s.ingest('resume-me', { digest: d });
        assert.equal(w2.offset, 5000);
        await w2.write(data.subarray(5000));
        assert.deepEqual(await w2.commit(), { digest: d, size: data.length });
        assert.deepEqual(await s.readBytes(d), data);
      }),
    );

    it(
      'refuses a second writer on the same ref',
      withStore(make, async (s) => {
        const w = await s.ingest('busy');
        await assert.rejects(s.ingest('busy'), (e: Error & { kind?: string }) => e.kind === 'Conflict');
        await w.close();
        await s.abortIngest('busy');
      }),
    );

    it(
      'rejects a digest mismatch naming both digests, and removes the ingest',
      withStore(make, async (s) => {
        const expected = digestOf('what we wanted');
        const w = await s.ingest('bad', { digest: expected });
        await w.write(Buffer.from('what we got'));
        await assert.rejects(w.commit(), (e: Error & { kind?: string }) => {
          assert.equal(e.kind, 'InvalidArgument');
          assert.ok(e.message.includes(expected), e.message);
          assert.ok(e.message.includes(digestOf('what we got')), e.message);
          return true;
        });
        assert.equal(await s.has(expected), false);
        assert.equal(await s.has(digestOf('what we got')), false);
        const w2 = await s.ingest('bad');
        assert.equal(w2.offset, 0, 'the failed ingest was removed');
        await w2.close();
        await s.abortIngest('bad');
      }),
    );

    it(
      'rejects a size mismatch',
      withStore(make, async (s) => {
        const w = await s.ingest('short', { size: 100 });
        await w.write(Buffer.alloc(50));
        await assert.rejects(w.commit(), /size mismatch.*100.*50/);
        const w2 = await s.ingest('long', { size: 10 });
        await assert.rejects(w2.write(Buffer.alloc(11)), /size mismatch/);
        assert.deepEqual(await listAll(s), []);
      }),
    );

    it(
      'commit is idempotent when the blob exists',
      withStore(make, async (s) => {
        const data = Buffer.from('twice');
        await s.writeBytes(data);
        const w = await s.ingest('dup');
        await w.write(data);
        assert.deepEqual(await w.commit({ digest: digestOf(data) }), { digest: digestOf(data), size: 5 });
        assert.deepEqual(await listAll(s), [digestOf(data)]);
      }),
    );

    it(
      'supports sha512',
      withStore(make, async (s) => {
        const data = Buffer.from('sha512 data');
        const d = digestOf(data, 'sha512');
        const w = await s.ingest('512', { digest: d });
        await w.write(data);
        assert.deepEqual(await w.commit(), { digest: d, size: data.length });
        assert.deepEqual(await s.readBytes(d), data);
      }),
    );

    it(
      'collects abandoned ingests',
      withStore(make, async (s) => {
        const w = await s.ingest('abandoned');
        await w.write(Buffer.from('partial'));
        await w.close();
        assert.equal(await s.collectIngests(60_000), 0, 'a fresh ingest is kept');
        assert.equal(await s.collectIngests(0), 1);
        const again = await s.ingest('abandoned');
        assert.equal(again.offset, 0);
        await again.close();
        await s.abortIngest('abandoned');
      }),
    );

    it(
      'rejects invalid digests',
      withStore(make, async (s) => {
        await assert.rejects(s.has('sha256:../../etc/passwd' as Digest), /invalid digest/);
      }),
    );
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachKeyBytes, detachWatcher, FrameDemuxer } from './hijack.ts';

const frame = (s: number, text: string) => {
  const d = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = s;
  h.writeUInt32BE(d.length, 4);
  return Buffer.concat([h, d]);
};

test('FrameDemuxer splits frames across arbitrary chunk boundaries', () => {
  const got: string[] = [];
  const dm = new FrameDemuxer((s, d) => got.push(`${s}:${d}`));
  const all = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, 'more')]);
  for (let i = 0; i < all.length; i += 3) dm.push(all.subarray(i, i + 3));
  assert.deepEqual(got, ['1:out', '2:err', '1:more']);
  assert.equal(dm.pending, 0);
});

test('detach keys: parsing and watching', () => {
  assert.deepEqual(detachKeyBytes('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(detachKeyBytes('ctrl-@,a'), [0, 97]);
  assert.throws(() => detachKeyBytes('ctrl-ab'), /invalid detach keys/);
  const w = detachWatcher('ctrl-p,ctrl-q');
  assert.equal(w(Buffer.from([16, 16])), false);
  assert.equal(w(Buffer.from([17])), true);
  const w2 = detachWatcher('ctrl-p,ctrl-q');
  assert.equal(w2(Buffer.from('abc\x10x\x11')), false);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeader, encodeHeader, type TarEntry } from './tar-format.ts';

const base: TarEntry = {
  name: 'etc/passwd',
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 11,
  mtime: 1_700_000_000,
  linkname: '',
  devmajor: 0,
  devminor: 0,
  xattrs: new Map(),
};

/** A header with the field at `off` overwritten by `bytes` (the rest of the field NUL), checksum fixed. */
function patched(off: number, len: number, bytes: number[]): Buffer {
  const h = Buffer.from(encodeHeader(base).subarray(0, 512));
  h.fill(0, off, off + len);
  Buffer.from(bytes).copy(h, off);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

describe('decodeHeader numbers', () => {
  it('reads octal with NUL or space padding on either side, empty fields as 0, and GNU base-256', () => {
    assert.equal(decodeHeader(patched(100, 8, ascii('0000755\0'))).mode, 0o755);
    assert.equal(decodeHeader(patched(100, 8, ascii('  755 \0'))).mode, 0o755);
    assert.equal(decodeHeader(patched(100, 8, ascii('755'))).mode, 0o755);
    assert.equal(decodeHeader(patched(108, 8, [])).uid, 0);
    assert.equal(decodeHeader(patched(108, 8, ascii('       '))).uid, 0);
    const big = 2 ** 40 + 5;
    const b256 = [0x80, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 5];
    assert.equal(decodeHeader(patched(124, 12, b256)).size, big);
  });

  it('refuses a field that is not a number', () => {
    for (const bad of ['64x', '6 4', '9']) {
      assert.throws(() => decodeHeader(patched(100, 8, ascii(bad))), /bad number field/, JSON.stringify(bad));
    }
  });
});

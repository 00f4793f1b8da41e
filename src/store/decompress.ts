/**
 * Layer compression by magic bytes: gzip, zstd or plain tar. bzip2 and xz
 * are recognised and refused with a clear error.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { InvalidArgumentError } from '../lib/errors.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

const CHUNK = 256 * 1024;

export function detectCompression(head: Uint8Array): Compression | 'bzip2' | 'xz' {
  const is = (...m: number[]) => head.length >= m.length && m.every((b, i) => head[i] === b);
  if (is(0x1f, 0x8b)) return 'gzip';
  if (is(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (is(0x42, 0x5a, 0x68)) return 'bzip2';
  if (is(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  return 'none';
}

/**
 * The uncompressed bytes of `src`, whatever its compression. Errors of the
 * decompressor come out of the returned stream.
 */
export async function decompressed(
  src: AsyncIterable<Buffer | string>,
): Promise<{ stream: Readable; compression: Compression }> {
  const it = src[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < 6) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    parts.push(b);
    have += b.length;
  }
  const head = Buffer.concat(parts);
  const kind = detectCompression(head);
  if (kind === 'bzip2' || kind === 'xz') throw new InvalidArgumentError(`${kind}-compressed layers are not supported`);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    while (!done) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  const plain = Readable.from(rest(), { objectMode: false, highWaterMark: CHUNK });
  if (kind === 'none') return { stream: plain, compression: kind };
  const d = kind === 'gzip' ? createGunzip({ chunkSize: CHUNK }) : createZstdDecompress({ chunkSize: CHUNK });
  return { stream: pipeline(plain, d, () => {}), compression: kind };
}

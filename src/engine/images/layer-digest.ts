/** The compression of a layer blob on disk, and its diffID (digest of the uncompressed tar). */
import { createReadStream } from 'node:fs';
import { type Digest, Digester } from '../../lib/digest.ts';
import { type Compression, decompressed } from '../../store/decompress.ts';

export async function uncompressedDigest(
  path: string,
): Promise<{ compression: Compression; diffId: Digest; size: number }> {
  const { stream, compression } = await decompressed(createReadStream(path, { highWaterMark: 1 << 20 }));
  const d = new Digester();
  for await (const c of stream) d.update(c as Buffer);
  return { compression, diffId: d.digest(), size: d.size };
}

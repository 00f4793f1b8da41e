/**
 * Stores a layer tar from a stream as an uncompressed blob (gzip and zstd
 * are undone on the way in), so that the blob's digest is the layer's
 * diffID. The blob becomes visible only once complete and checked.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { MediaType } from '../../oci/media-types.ts';
import { decompressed } from '../../store/decompress.ts';
import type { ContentStore } from '../../store/types.ts';
import type { LayerInput } from './image-service.ts';

export async function ingestLayer(content: ContentStore, src: Readable): Promise<LayerInput> {
  const ref = `layer-${randomBytes(8).toString('hex')}`;
  const ingest = await content.ingest(ref);
  try {
    const { stream } = await decompressed(src);
    await ingest.writeStream(stream);
    const info = await ingest.commit();
    if (info.size === 0) throw new InvalidArgumentError('the layer archive is empty');
    return {
      descriptor: { mediaType: MediaType.OciLayer, digest: info.digest, size: info.size },
      diffId: info.digest,
      uncompressedSize: info.size,
    };
  } catch (e) {
    await content.abortIngest(ref).catch(() => {});
    const code = (e as { code?: string }).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ZSTD_error_corruption_detected') {
      throw new InvalidArgumentError(`the layer archive is not valid compressed data: ${(e as Error).message}`);
    }
    throw e;
  }
}

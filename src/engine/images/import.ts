/**
 * `docker import`: a root filesystem tar becomes a one-layer image, with the
 * `--change` instructions applied to its config and the message recorded.
 */
import type { Readable } from 'node:stream';
import type { ImageConfig, ImageRunConfig } from '../../oci/image.ts';
import { hostPlatform } from '../../oci/image.ts';
import type { ContentStore } from '../../store/types.ts';
import type { ImageService } from './image-service.ts';
import { ingestLayer } from './layer-ingest.ts';
import type { ImageRecord } from './records.ts';

export interface ImportInput {
  src: Readable;
  tag?: string;
  message?: string;
  /** Config changes parsed from `--change` by the edge. */
  config?: ImageRunConfig;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export async function importImage(
  content: ContentStore,
  images: ImageService,
  unpack: (rec: ImageRecord) => Promise<void>,
  input: ImportInput,
): Promise<ImageRecord> {
  const layer = await ingestLayer(content, input.src);
  const created = new Date().toISOString();
  const host = hostPlatform();
  const config: ImageConfig = {
    architecture: input.platform?.architecture || host.architecture,
    os: input.platform?.os || host.os,
    ...(input.platform?.variant ? { variant: input.platform.variant } : {}),
    created,
    config: input.config ?? {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: '', comment: input.message || 'Imported from -' }],
  };
  if (input.message) config.comment = input.message;
  const existed = new Set(images.records.all().map((r) => r.id));
  const rec = await images.create({ config, layers: [layer] });
  try {
    await unpack(rec);
  } catch (e) {
    if (!existed.has(rec.id)) images.records.delete(rec.id);
    throw e;
  }
  if (input.tag) images.tag(rec.id, input.tag);
  return rec;
}

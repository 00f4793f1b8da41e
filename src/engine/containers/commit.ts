/**
 * `docker commit`: a container's writable layer on top of its image becomes
 * a new image, with the container's config (and any `--change`s) as its own.
 */
import type { ImageConfig, ImageRunConfig } from '../../oci/image.ts';
import type { ContentStore } from '../../store/types.ts';
import type { ImageService } from '../images/image-service.ts';
import { ingestLayer } from '../images/layer-ingest.ts';
import type { ImageRecord } from '../images/records.ts';
import type { ContainerService } from './container-service.ts';
import type { ContainerFilesystem } from './filesystem.ts';

export interface CommitInput {
  container: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause?: boolean;
  /** The container's config with the request's overrides and changes applied. */
  config: ImageRunConfig;
}

export function containerRunConfig(svc: ContainerService, ref: string): ImageRunConfig {
  const c = svc.get(ref).Config;
  return {
    User: c.User || undefined,
    ExposedPorts: c.ExposedPorts && Object.keys(c.ExposedPorts).length ? c.ExposedPorts : undefined,
    Env: c.Env,
    Entrypoint: c.Entrypoint,
    Cmd: c.Cmd,
    Volumes: c.Volumes && Object.keys(c.Volumes).length ? c.Volumes : undefined,
    WorkingDir: c.WorkingDir || undefined,
    Labels: c.Labels,
    StopSignal: c.StopSignal,
    Healthcheck: c.Healthcheck,
    OnBuild: c.OnBuild ?? undefined,
    Shell: c.Shell,
  };
}

export async function commitContainer(
  svc: ContainerService,
  fs: ContainerFilesystem,
  content: ContentStore,
  images: ImageService,
  input: CommitInput,
): Promise<ImageRecord> {
  const rec = svc.get(input.container);
  const pause = input.pause !== false && rec.State.Running && !rec.State.Paused;
  if (pause) await svc.pause(rec.Id);
  let layer: Awaited<ReturnType<typeof ingestLayer>>;
  try {
    layer = await ingestLayer(content, fs.layer(rec.Id));
  } finally {
    if (pause) await svc.unpause(rec.Id).catch(() => {});
  }
  const parent = await images.config(rec.Image);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    ...parent,
    created,
    author: input.author ?? '',
    config: input.config,
    container: rec.Id,
    rootfs: { type: 'layers', diff_ids: [...(parent.rootfs?.diff_ids ?? []), layer.diffId] },
    history: [
      ...(parent.history ?? []),
      {
        created,
        created_by: [rec.Path, ...rec.Args].join(' '),
        ...(input.author ? { author: input.author } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
      },
    ],
  };
  if (input.comment) config.comment = input.comment;
  else delete config.comment;
  const parentRec = images.records.get(rec.Image);
  const parentManifest = parentRec ? await images.manifest(parentRec) : undefined;
  const out = await images.create({
    config,
    layers: [
      ...(parentManifest?.layers ?? []).map((d, i) => ({
        descriptor: d,
        diffId: parent.rootfs.diff_ids[i],
        uncompressedSize: d.size,
      })),
      layer,
    ],
    tags: input.tag ? [input.tag] : [],
  });
  return out;
}

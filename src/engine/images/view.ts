/** Renders images in the Engine API's shapes: summary, inspect, history. */

import { chainIds, digestHex } from '../../lib/digest.ts';
import type { HistoryEntry, ImageConfig } from '../../oci/image.ts';
import { familiarString, parseReference } from '../../oci/reference.ts';
import type { HistoryItem, ImageInspect, ImageSummary } from '../../wire/images.ts';
import type { ImageRecord, ImageSummaryFields } from './records.ts';

/** Familiar forms of stored tag keys, kept: a listing of 1,000 images renders each name once. */
const familiar = new Map<string, string>();
const FAMILIAR_MAX = 10_000;

export function familiarTag(ref: string): string {
  let f = familiar.get(ref);
  if (f === undefined) {
    f = familiarString(parseReference(ref));
    if (familiar.size >= FAMILIAR_MAX) familiar.clear();
    familiar.set(ref, f);
  }
  return f;
}

export function familiarDigest(repo: string, digest: string): string {
  return familiarString({ ...parseReference(repo), digest: digest as never });
}

export function createdSeconds(cfg: ImageConfig): number {
  const t = cfg.created ? Date.parse(cfg.created) : 0;
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
}

/** The config fields a listing needs (stored with the image row). */
export function summaryFields(cfg: ImageConfig): ImageSummaryFields {
  const ids = cfg.rootfs?.diff_ids ?? [];
  return {
    created: createdSeconds(cfg),
    labels: cfg.config?.Labels ?? null,
    chainId: ids.length ? chainIds(ids)[ids.length - 1] : null,
  };
}

/** A `GET /images/json` entry; `containers` is -1 when not counted (as Docker's list: only `system df` counts). */
export function imageSummary(
  rec: ImageRecord,
  fields: ImageSummaryFields,
  tags: string[],
  digests: Array<{ repo: string; digest: string }>,
  containers: number,
): ImageSummary {
  return {
    Id: rec.id,
    ParentId: '',
    RepoTags: tags.map(familiarTag),
    RepoDigests: digests.map((d) => familiarDigest(d.repo, d.digest)),
    Created: fields.created,
    Size: rec.size,
    SharedSize: -1,
    VirtualSize: rec.size,
    Labels: fields.labels ?? {},
    Containers: containers,
  };
}

export function imageInspect(
  rec: ImageRecord,
  cfg: ImageConfig,
  tags: string[],
  digests: Array<{ repo: string; digest: string }>,
  lastTagTime: number | undefined,
  graphData: Record<string, string> | null,
): ImageInspect {
  const c = cfg.config ?? {};
  return {
    Id: rec.id,
    RepoTags: tags.map(familiarTag),
    RepoDigests: digests.map((d) => familiarDigest(d.repo, d.digest)),
    Parent: '',
    Comment: cfg.comment ?? cfg.history?.[cfg.history.length - 1]?.comment ?? '',
    Created: cfg.created ?? new Date(0).toISOString(),
    Container: cfg.container,
    ContainerConfig: cfg.container_config,
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: c.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: c.ExposedPorts,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: c.Env ?? null,
      Cmd: c.Cmd ?? null,
      Healthcheck: c.Healthcheck,
      ArgsEscaped: c.ArgsEscaped,
      Image: '',
      Volumes: c.Volumes ?? null,
      WorkingDir: c.WorkingDir ?? '',
      Entrypoint: c.Entrypoint ?? null,
      OnBuild: c.OnBuild ?? null,
      Labels: c.Labels ?? null,
      StopSignal: c.StopSignal,
      Shell: c.Shell,
    },
    Architecture: cfg.architecture,
    Variant: cfg.variant,
    Os: cfg.os,
    Size: rec.size,
    VirtualSize: rec.size,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTagTime ? new Date(lastTagTime).toISOString() : '0001-01-01T00:00:00Z' },
    Descriptor: { mediaType: rec.manifest.mediaType, digest: rec.manifest.digest, size: rec.manifest.size },
  };
}

/** `docker history`: newest first; layer sizes from the uncompressed layer sizes. */
export function imageHistory(rec: ImageRecord, cfg: ImageConfig, tags: string[], layerSizes: number[]): HistoryItem[] {
  const hist: HistoryEntry[] = cfg.history?.length
    ? cfg.history
    : (cfg.rootfs?.diff_ids ?? []).map(() => ({ created: cfg.created, created_by: '', empty_layer: false }));
  let layer = 0;
  const items: HistoryItem[] = hist.map((h) => {
    const size = h.empty_layer ? 0 : (layerSizes[layer++] ?? 0);
    const t = h.created ? Date.parse(h.created) : 0;
    return {
      Id: '<missing>',
      Created: Number.isFinite(t) ? Math.floor(t / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  items.reverse();
  if (items.length > 0) {
    items[0].Id = rec.id;
    items[0].Tags = tags.map(familiarTag);
  }
  return items;
}

export function shortImageId(id: string): string {
  return digestHex(id).slice(0, 12);
}

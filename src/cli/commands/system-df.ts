/**
 * berth system df: the four rows docker shows (Images, Containers, Local
 * Volumes, Build Cache), computed from GET /system/df as docker's formatter
 * does: active items, total size, and what a prune would reclaim.
 */
import { api } from '../context.ts';
import { ago, humanSize, printJson, shortId, table } from '../output.ts';
import { renderRows } from '../template.ts';
import { humanSize4 } from './resource-helpers.ts';

interface VolumeUsage {
  Name?: string;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface DiskUsage {
  LayersSize?: number;
  Images?: Array<{
    Id?: string;
    RepoTags?: string[] | null;
    Created?: number;
    Size: number;
    SharedSize: number;
    Containers: number;
  }> | null;
  Containers?: Array<{
    Id?: string;
    Names?: string[];
    Image?: string;
    Command?: string;
    Created?: number;
    State: string;
    Status?: string;
    SizeRw?: number;
    Mounts?: Array<{ Type?: string }>;
  }> | null;
  Volumes?: VolumeUsage[] | null;
  BuildCache?: Array<{
    ID?: string;
    Type?: string;
    Size: number;
    CreatedAt?: string;
    LastUsedAt?: string;
    UsageCount?: number;
    InUse?: boolean;
    Shared?: boolean;
  }> | null;
}

export interface DfRow {
  Type: string;
  TotalCount: string;
  Active: string;
  Size: string;
  Reclaimable: string;
}

const withPercent = (reclaimable: number, total: number) =>
  total > 0 ? `${humanSize4(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize4(reclaimable);

export function dfRows(d: DiskUsage): DfRow[] {
  const images = d.Images ?? [];
  const containers = d.Containers ?? [];
  const volumes = d.Volumes ?? [];
  const cache = d.BuildCache ?? [];
  const layers = d.LayersSize ?? 0;
  const usedByImages = images
    .filter((i) => i.Containers > 0 && i.Size >= 0 && i.SharedSize >= 0)
    .reduce((n, i) => n + i.Size - i.SharedSize, 0);
  const active = (state: string) => ['running', 'paused', 'restarting'].includes(state);
  const rw = (c: { SizeRw?: number }) => Math.max(0, c.SizeRw ?? 0);
  const containerSize = containers.reduce((n, c) => n + rw(c), 0);
  const volSize = (v: VolumeUsage) => Math.max(0, v.UsageData?.Size ?? 0);
  const volumeSize = volumes.reduce((n, v) => n + volSize(v), 0);
  const ownCache = cache.filter((c) => !c.Shared);
  return [
    {
      Type: 'Images',
      TotalCount: String(images.length),
      Active: String(images.filter((i) => i.Containers > 0).length),
      Size: humanSize4(layers),
      Reclaimable: withPercent(layers - usedByImages, layers),
    },
    {
      Type: 'Containers',
      TotalCount: String(containers.length),
      Active: String(containers.filter((c) => active(c.State)).length),
      Size: humanSize4(containerSize),
      Reclaimable: withPercent(
        containers.filter((c) => !active(c.State)).reduce((n, c) => n + rw(c), 0),
        containerSize,
      ),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(volumes.length),
      Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length),
      Size: humanSize4(volumeSize),
      Reclaimable: withPercent(
        volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((n, v) => n + volSize(v), 0),
        volumeSize,
      ),
    },
    {
      Type: 'Build Cache',
      TotalCount: String(cache.length),
      Active: String(cache.filter((c) => c.InUse).length),
      Size: humanSize4(ownCache.reduce((n, c) => n + c.Size, 0)),
      Reclaimable: humanSize4(ownCache.filter((c) => !c.InUse).reduce((n, c) => n + c.Size, 0)),
    },
  ];
}

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

const since = (iso: string | undefined) => (iso ? ago(Date.parse(iso) / 1000) : '');
const na = (n: number) => (n >= 0 ? humanSize(n) : 'N/A');

/** `system df -v`: a section per kind, as docker prints them. */
export function verbose(d: DiskUsage): string {
  const images = (d.Images ?? []).flatMap((i) =>
    (i.RepoTags?.length ? i.RepoTags : ['<none>:<none>']).map((t) => {
      const at = t.lastIndexOf(':');
      const unique = i.SharedSize >= 0 ? i.Size - i.SharedSize : -1;
      return [
        t.slice(0, at),
        t.slice(at + 1),
        shortId(i.Id ?? ''),
        ago(i.Created ?? 0),
        humanSize(i.Size),
        na(i.SharedSize),
        na(unique),
        String(i.Containers),
      ];
    }),
  );
  const containers = (d.Containers ?? []).map((c) => [
    shortId(c.Id ?? ''),
    c.Image ?? '',
    `"${(c.Command ?? '').length > 20 ? `${(c.Command ?? '').slice(0, 19)}…` : (c.Command ?? '')}"`,
    String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    humanSize(Math.max(0, c.SizeRw ?? 0)),
    c.Created ? ago(c.Created) : '',
    c.Status ?? c.State,
    (c.Names ?? []).map((n) => n.replace(/^\//, '')).join(','),
  ]);
  const volumes = (d.Volumes ?? []).map((v) => [
    v.Name ?? '',
    v.UsageData && v.UsageData.RefCount >= 0 ? String(v.UsageData.RefCount) : 'N/A',
    v.UsageData ? na(v.UsageData.Size) : 'N/A',
  ]);
  const cache = d.BuildCache ?? [];
  const cacheRows = cache.map((c) => [
    c.ID ?? '',
    c.Type ?? 'regular',
    humanSize(c.Size),
    since(c.CreatedAt),
    since(c.LastUsedAt),
    String(c.UsageCount ?? 0),
    String(!!c.Shared),
  ]);
  const cacheTotal = cache.filter((c) => !c.Shared).reduce((n, c) => n + c.Size, 0);
  return [
    'Images space usage:\n\n',
    table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], images),
    '\nContainers space usage:\n\n',
    table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containers),
    '\nLocal Volumes space usage:\n\n',
    table(['VOLUME NAME', 'LINKS', 'SIZE'], volumes),
    `\nBuild cache usage: ${humanSize4(cacheTotal)}\n\n`,
    table(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'], cacheRows),
  ].join('');
}

export async function df(o: { format?: string; verbose?: boolean }): Promise<void> {
  const d = (await api().diskUsage()) as DiskUsage;
  // `--format json` keeps berth's earlier contract (the daemon's answer as is); templates get docker's rows.
  if (o.format === 'json') return printJson(d);
  if (o.verbose && !o.format) return void process.stdout.write(verbose(d));
  const rows = dfRows(d);
  if (o.format && o.format !== 'table') return void process.stdout.write(renderRows(o.format, rows, HEADERS));
  process.stdout.write(
    table(
      Object.values(HEADERS),
      rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
    ),
  );
}

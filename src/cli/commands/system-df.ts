/**
 * berth system df: the four rows docker shows (Images, Containers, Local
 * Volumes, Build Cache), computed from GET /system/df as docker's formatter
 * does: active items, total size, and what a prune would reclaim.
 */
import { api } from '../context.ts';
import { printJson, table } from '../output.ts';
import { renderRows } from '../template.ts';
import { humanSize4 } from './resource-helpers.ts';

interface VolumeUsage {
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface DiskUsage {
  LayersSize?: number;
  Images?: Array<{ Size: number; SharedSize: number; Containers: number }> | null;
  Containers?: Array<{ State: string; SizeRw?: number }> | null;
  Volumes?: VolumeUsage[] | null;
  BuildCache?: Array<{ Size: number; InUse?: boolean; Shared?: boolean }> | null;
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

export async function df(o: { format?: string }): Promise<void> {
  const d = (await api().diskUsage()) as DiskUsage;
  // `--format json` keeps berth's earlier contract (the daemon's answer as is); templates get docker's rows.
  if (o.format === 'json') return printJson(d);
  const rows = dfRows(d);
  if (o.format && o.format !== 'table') return void process.stdout.write(renderRows(o.format, rows, HEADERS));
  process.stdout.write(
    table(
      Object.values(HEADERS),
      rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
    ),
  );
}

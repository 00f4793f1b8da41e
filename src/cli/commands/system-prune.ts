/**
 * berth system prune: stopped containers, unused networks, (with --volumes)
 * unused anonymous volumes, dangling images (all unused with -a) and the
 * build cache, in docker's order and with docker's report.
 */
import { pruneContainers } from '../../client/containers.ts';
import { pruneBuildCache } from '../../client/networks.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { pruneNetworksText } from './networks.ts';
import { confirm, deletedBlock, humanSize4 } from './resource-helpers.ts';
import { pruneVolumesReport } from './volumes.ts';

export interface SystemPruneFlags {
  all?: boolean;
  volumes?: boolean;
  force?: boolean;
  filter?: string[];
}

/** docker's confirmation text for the chosen flags. */
export function pruneWarning(o: SystemPruneFlags): string {
  const items = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) items.push('all anonymous volumes not used by at least one container');
  if (o.all) items.push('all images without at least one container associated to them', 'all build cache');
  else items.push('all dangling images', 'unused build cache');
  let text = `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}`;
  if (o.filter?.length)
    text += `\n  Items to be pruned will be filtered with:\n${o.filter.map((f) => `  - ${f}\n`).join('')}`;
  return `${text}\nAre you sure you want to continue?`;
}

export async function systemPrune(o: SystemPruneFlags): Promise<void> {
  const filters = filterFlags(o.filter);
  if (o.volumes && filters.until) throw new Error('ERROR: The "until" filter is not supported with "--volumes"');
  if (!o.force && !(await confirm(pruneWarning(o)))) return;
  const out = (s: string) => process.stdout.write(s);
  let reclaimed = 0;

  const c = await pruneContainers(api(), filters);
  reclaimed += c.SpaceReclaimed ?? 0;
  out(deletedBlock('Deleted Containers', c.ContainersDeleted ?? []));

  out(await pruneNetworksText(filters));

  if (o.volumes) {
    const v = await pruneVolumesReport(filters);
    reclaimed += v.reclaimed;
    out(v.text);
  }

  const i = await api().pruneImages(o.all ? { ...filters, dangling: ['false'] } : filters);
  reclaimed += i.SpaceReclaimed ?? 0;
  out(
    deletedBlock(
      'Deleted Images',
      (i.ImagesDeleted ?? []).map((d) => ('Untagged' in d ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)),
    ),
  );

  const b = await pruneBuildCache(api(), { all: o.all, filters });
  reclaimed += b.SpaceReclaimed;
  out(deletedBlock('Deleted build cache objects', b.CachesDeleted));

  out(`Total reclaimed space: ${humanSize4(reclaimed)}\n`);
}

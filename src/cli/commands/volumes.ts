/** berth volume create/ls/inspect/rm/prune. */
import { createVolume, inspectVolume, listVolumes, removeVolume } from '../../client/compose-calls.ts';
import { pruneVolumes } from '../../client/networks.ts';
import type { Volume } from '../../wire/volumes.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { table } from '../output.ts';
import { renderRows } from '../template.ts';
import { each } from './containers.ts';
import { confirm, deletedBlock, goTime, humanSize4, inspectEach, keyValues, labelsText } from './resource-helpers.ts';

export async function create(
  name: string | undefined,
  o: { driver?: string; opt?: string[]; label?: string[]; name?: string },
): Promise<void> {
  if (name && o.name && name !== o.name)
    throw new Error(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
  const v = await createVolume(api(), {
    Name: name ?? o.name ?? '',
    Driver: o.driver ?? 'local',
    DriverOpts: keyValues(o.opt),
    Labels: keyValues(o.label),
  });
  process.stdout.write(`${v.Name}\n`);
}

const HEADERS: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  CreatedAt: 'CREATED AT',
};

/** The fields of docker's volume formatter. */
function row(v: Volume) {
  const labels = v.Labels ?? {};
  const usage = v.UsageData;
  return {
    Availability: 'N/A',
    CreatedAt: goTime(v.CreatedAt),
    Driver: v.Driver,
    Group: 'N/A',
    Labels: labelsText(labels),
    Links: usage && usage.RefCount >= 0 ? String(usage.RefCount) : 'N/A',
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: usage && usage.Size >= 0 ? humanSize4(usage.Size) : 'N/A',
    Status: 'N/A',
    Label: (k: string) => labels[k] ?? '',
  };
}

export async function list(o: { filter?: string[]; quiet?: boolean; format?: string }): Promise<void> {
  const vols = (await listVolumes(api(), filterFlags(o.filter))).sort((a, b) =>
    a.Name.localeCompare(b.Name, 'en', { numeric: true }),
  );
  const rows = vols.map(row);
  if (o.quiet) return void process.stdout.write(rows.map((r) => `${r.Name}\n`).join(''));
  if (o.format && o.format !== 'table') {
    if (o.format === 'json') process.stdout.write(rows.map(({ Label: _l, ...r }) => `${JSON.stringify(r)}\n`).join(''));
    else process.stdout.write(renderRows(o.format, rows, HEADERS));
    return;
  }
  process.stdout.write(
    table(
      ['DRIVER', 'VOLUME NAME'],
      rows.map((r) => [r.Driver, r.Name]),
    ),
  );
}

export function inspect(names: string[], o: { format?: string }): Promise<void> {
  return inspectEach(names, (n) => inspectVolume(api(), n), o);
}

export function remove(names: string[], o: { force?: boolean }): Promise<void> {
  return each(names, (n) => removeVolume(api(), n, !!o.force));
}

export async function prune(o: { force?: boolean; all?: boolean; filter?: string[] }): Promise<void> {
  const what = o.all ? 'all local volumes' : 'anonymous local volumes';
  if (
    !o.force &&
    !(await confirm(
      `WARNING! This will remove ${what} not used by at least one container.\nAre you sure you want to continue?`,
    ))
  )
    return;
  const filters = filterFlags(o.filter);
  if (o.all) filters.all = ['true'];
  const r = await pruneVolumesReport(filters);
  process.stdout.write(`${r.text}Total reclaimed space: ${humanSize4(r.reclaimed)}\n`);
}

/** Prunes volumes and returns docker's report of them (shared with system prune). */
export async function pruneVolumesReport(
  filters: Record<string, string[]>,
): Promise<{ text: string; reclaimed: number }> {
  const r = await pruneVolumes(api(), filters);
  return { text: deletedBlock('Deleted Volumes', r.VolumesDeleted), reclaimed: r.SpaceReclaimed };
}

/** berth ps / container ls. */
import { listContainers } from '../../client/containers.ts';
import type { ContainerSummary } from '../../wire/containers.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { ago, humanSize, shortId, table } from '../output.ts';
import { renderRows } from '../template.ts';

/** `0.0.0.0:8080->80/tcp, 443/tcp`, as docker shows ports. */
export function portsText(ports: ContainerSummary['Ports']): string {
  return ports
    .map((p) =>
      p.PublicPort ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`,
    )
    .join(', ');
}

function goTime(unix: number): string {
  return `${new Date(unix * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} +0000 UTC`;
}

/** The fields of docker's ps formatter, for `--format`. */
function row(c: ContainerSummary, noTrunc: boolean) {
  const cmd = noTrunc || c.Command.length <= 20 ? c.Command : `${c.Command.slice(0, 19)}…`;
  const labels = c.Labels ?? {};
  return {
    ID: noTrunc ? c.Id : shortId(c.Id),
    Image: c.Image,
    Command: `"${cmd}"`,
    CreatedAt: goTime(c.Created),
    RunningFor: ago(c.Created),
    Ports: portsText(c.Ports ?? []),
    State: c.State,
    Status: c.Status,
    Size: c.SizeRw === undefined ? '' : `${humanSize(c.SizeRw)} (virtual ${humanSize(c.SizeRootFs ?? c.SizeRw)})`,
    Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: (c.Mounts ?? []).map((m) => m.Name ?? m.Source).join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Label: (k: string) => labels[k] ?? '',
  };
}

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
};

export async function list(o: {
  all?: boolean;
  last?: string;
  latest?: boolean;
  size?: boolean;
  quiet?: boolean;
  filter?: string[];
  format?: string;
  noTrunc?: boolean;
}): Promise<void> {
  const limit = o.latest ? 1 : o.last !== undefined ? Number(o.last) : undefined;
  const all = o.all || (limit !== undefined && limit > 0);
  const list = await listContainers(api(), { all, limit, size: o.size, filters: filterFlags(o.filter) });
  const rows = list.map((c) => row(c, !!o.noTrunc));
  if (o.quiet) {
    process.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
    return;
  }
  if (o.format && o.format !== 'table') {
    if (o.format === 'json') process.stdout.write(rows.map(({ Label: _l, ...r }) => `${JSON.stringify(r)}\n`).join(''));
    else process.stdout.write(renderRows(o.format, rows, HEADERS));
    return;
  }
  const headers = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];
  if (o.size) headers.push('SIZE');
  process.stdout.write(
    table(
      headers,
      rows.map((r) => {
        const cells = [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names];
        if (o.size) cells.push(r.Size);
        return cells;
      }),
    ),
  );
}

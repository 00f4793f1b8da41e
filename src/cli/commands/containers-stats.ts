/** berth stats: docker's table, one sample (--no-stream) or redrawn as samples arrive. */
import { listContainers, type StatsSample, statsOnce, statsStream } from '../../client/containers.ts';
import { api } from '../context.ts';
import { humanBytes, humanSize, shortId } from '../output.ts';
import { renderRows } from '../template.ts';

export interface StatsRow {
  Container: string;
  ID: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

/** The row docker computes from one sample (CPU% from the delta to the previous reading). */
export function statsRow(name: string, s: StatsSample): StatsRow {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
  const m = s.memory_stats ?? {};
  const st = m.stats ?? {};
  const cache = st.total_inactive_file ?? st.inactive_file ?? 0;
  const used = Math.max(0, (m.usage ?? 0) - (cache < (m.usage ?? 0) ? cache : 0));
  const limit = m.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  let rd = 0;
  let wr = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(e.op)) rd += e.value;
    if (/^write$/i.test(e.op)) wr += e.value;
  }
  const id = s.id ?? name;
  return {
    Container: name,
    ID: shortId(id),
    Name: (s.name ?? name).replace(/^\//, ''),
    CPUPerc: `${cpu.toFixed(2)}%`,
    MemUsage: `${humanBytes(used)} / ${humanBytes(limit)}`,
    MemPerc: `${(limit ? (used / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    BlockIO: `${humanSize(rd)} / ${humanSize(wr)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

const DEFAULT_FORMAT =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const HEADERS = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export async function stats(
  names: string[],
  o: { all?: boolean; noStream?: boolean; format?: string; noTrunc?: boolean },
): Promise<void> {
  const format = o.format && o.format !== 'table' ? o.format : DEFAULT_FORMAT;
  const targets = names.length ? names : (await listContainers(api(), { all: o.all })).map((c) => c.Id);
  const show = (rows: StatsRow[]) =>
    renderRows(format, o.noTrunc ? rows.map((r) => ({ ...r, ID: r.Container })) : rows, HEADERS);
  if (o.noStream) {
    const rows: StatsRow[] = [];
    for (const n of targets) rows.push(statsRow(n, await statsOnce(api(), n)));
    process.stdout.write(show(rows));
    return;
  }
  const latest = new Map<string, StatsRow>();
  let _timer: NodeJS.Timeout | undefined;
  const draw = () => {
    _timer = undefined;
    const rows = targets.map((n) => latest.get(n)).filter((r): r is StatsRow => !!r);
    process.stdout.write(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${show(rows)}`);
  };
  await Promise.all(
    targets.map(async (n) => {
      for await (const s of statsStream(api(), n)) {
        latest.set(n, statsRow(n, s));
        _timer ??= setTimeout(draw, 100);
      }
    }),
  );
}

/** berth version, info, system df, events. */
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { formatLine, humanSize, printJson } from '../output.ts';

export async function info(o: { format?: string }): Promise<void> {
  const i = await api().info();
  if (o.format === 'json') return printJson(i);
  const lines = [
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Runtimes: ${Object.keys((i.Runtimes as object) ?? {}).join(' ')}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${humanSize(i.MemTotal as number)}`,
    ` Name: ${i.Name}`,
    ` ID: ${i.ID}`,
    ` Berth Root Dir: ${i.DockerRootDir}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const w of (i.Warnings as string[]) ?? []) process.stderr.write(`${w}\n`);
}

export { df } from './system-df.ts';
export { version } from './version.ts';

export async function events(o: { since?: string; until?: string; filter?: string[]; format?: string }): Promise<void> {
  const filters = filterFlags(o.filter);
  for await (const e of api().events({ since: o.since, until: o.until, filters })) {
    if (o.format) {
      process.stdout.write(`${formatLine(o.format, e as unknown as Record<string, unknown>)}\n`);
      continue;
    }
    const attrs = Object.entries(e.Actor.Attributes)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const t = new Date(e.timeNano / 1e6).toISOString();
    process.stdout.write(`${t} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ''}\n`);
  }
}

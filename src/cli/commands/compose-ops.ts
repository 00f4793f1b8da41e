/** The `berth compose` commands: each parses its flags, makes one compose call and renders the result. */
import { inspectContainer, topContainer } from '../../client/containers.ts';
import {
  buildService,
  down,
  exec,
  killServices,
  L,
  type Project,
  projectContainers,
  pullService,
  pushService,
  removeServices,
  renderConfig,
  renderHashes,
  restartServices,
  run,
  selected,
  startServices,
  stopServices,
  streamLogs,
  up,
  waitFor,
  withDependencies,
} from '../../compose/index.ts';
import { api } from '../context.ts';
import { table } from '../output.ts';
import type { Ctx } from './compose.ts';

type Opts = Record<string, unknown>;

const kv = (list: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of (list as string[] | undefined) ?? []) {
    const i = e.indexOf('=');
    if (i < 0) {
      const v = process.env[e];
      if (v !== undefined) out[e] = v;
    } else out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
};
const seconds = (v: unknown) => (v === undefined ? undefined : Number(v));

export async function upCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load(services);
  const waitTimeoutMs = o.waitTimeout === undefined ? undefined : Number(o.waitTimeout) * 1000;
  const res = await up(api(), p, cx.reporter, {
    services,
    noDeps: o.deps === false,
    forceRecreate: !!o.forceRecreate,
    noRecreate: o.recreate === false,
    build: !!o.build,
    noBuild: o.build === false,
    pull: o.pull as 'always' | 'missing' | 'never' | undefined,
    scale: o.scale as Record<string, number> | undefined,
    removeOrphans: !!o.removeOrphans,
    noStart: o.start === false,
    wait: !!o.wait,
    waitTimeoutMs,
    timeout: seconds(o.timeout),
  });
  if (o.detach || o.wait || o.start === false) return;
  // Attached: follow every container's logs until they all stop; Ctrl-C stops the project.
  const cs = (await projectContainers(api(), p.name)).filter((c) =>
    Object.values(res.containers).some((ids) => ids.includes(c.id)),
  );
  let stopping = false;
  const onInt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    void stopServices(api(), p, cx.reporter, services);
  };
  process.on('SIGINT', onInt);
  try {
    const streams = streamLogs(api(), p.name, cs, process.stdout, {
      follow: true,
      colour: cx.colour && o.color !== false,
      prefix: o.logPrefix !== false,
    });
    if (o.abortOnContainerExit) {
      await Promise.race(cs.map((c) => waitFor(api(), [c.id], 'service_completed_successfully').catch(() => {})));
      await stopServices(api(), p, cx.reporter, services);
    }
    await streams;
  } finally {
    process.off('SIGINT', onInt);
  }
}

export async function psCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load();
  let cs = await selected(api(), p, services, { all: true });
  if (!o.all) cs = cs.filter((c) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused');
  const status = o.status as string[] | undefined;
  if (status?.length) cs = cs.filter((c) => status.includes(c.state));
  if (o.quiet) return void process.stdout.write(cs.map((c) => `${c.id}\n`).join(''));
  if (o.services)
    return void process.stdout.write([...new Set(cs.map((c) => c.service))].map((s) => `${s}\n`).join(''));
  const ports = (c: (typeof cs)[number]) =>
    c.summary.Ports.map((x) =>
      x.PublicPort ? `${x.IP ?? '0.0.0.0'}:${x.PublicPort}->${x.PrivatePort}/${x.Type}` : `${x.PrivatePort}/${x.Type}`,
    ).join(', ');
  if (o.format === 'json') {
    const rows = cs.map((c) => ({
      ID: c.id,
      Name: c.name,
      Image: c.summary.Image,
      Command: c.summary.Command,
      Project: p.name,
      Service: c.service,
      State: c.state,
      Status: c.summary.Status,
      Health: /\((healthy|unhealthy|health: starting)\)/.exec(c.summary.Status)?.[1] ?? '',
      ExitCode: Number(/Exited \((\d+)\)/.exec(c.summary.Status)?.[1] ?? 0),
      Publishers: c.summary.Ports.map((x) => ({
        URL: x.IP ?? '',
        TargetPort: x.PrivatePort,
        PublishedPort: x.PublicPort ?? 0,
        Protocol: x.Type,
      })),
      Labels: c.summary.Labels,
    }));
    return void process.stdout.write(`${JSON.stringify(rows)}\n`);
  }
  const rows = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'STATUS', 'PORTS']];
  for (const c of cs)
    rows.push([c.name, c.summary.Image, JSON.stringify(c.summary.Command), c.service, c.summary.Status, ports(c)]);
  process.stdout.write(table(rows[0], rows.slice(1)));
}

export async function logsCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load();
  const cs = await selected(api(), p, services, { oneoff: false });
  await streamLogs(api(), p.name, cs, process.stdout, {
    follow: !!o.follow,
    tail: o.tail === 'all' ? undefined : (o.tail as string),
    timestamps: !!o.timestamps,
    since: o.since as string | undefined,
    until: o.until as string | undefined,
    colour: cx.colour && o.color !== false,
    prefix: o.logPrefix !== false,
  });
}

export async function buildCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load(services);
  const names = (services.length ? services : Object.keys(p.services)).filter(
    (n) => (p.services[n] ?? p.disabled[n])?.build,
  );
  const r = o.quiet ? { ...cx.reporter, info() {}, event() {} } : cx.reporter;
  for (const n of names)
    await buildService(api(), p, n, r, { noCache: o.cache === false, pull: !!o.pull, args: kv(o.buildArg) });
}

export async function pullCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load(services);
  for (const n of services.length ? services : Object.keys(p.services)) {
    const s = p.services[n];
    if (o.ignoreBuildable && s.build) continue;
    if (!s.image) continue;
    try {
      await pullService(api(), p, n, cx.reporter);
    } catch (e) {
      if (!s.build) throw e;
      cx.reporter.warn(`${n}: pull failed (${(e as Error).message}); it can be built`);
    }
  }
}

export async function pushCmd(cx: Ctx, services: string[], _o: Opts): Promise<void> {
  const p = cx.load(services);
  for (const n of services.length ? services : Object.keys(p.services))
    if (p.services[n].image) await pushService(api(), p, n, cx.reporter);
}

const stdio = () => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export async function execCmd(cx: Ctx, service: string, command: string[], o: Opts): Promise<void> {
  const tty = o.TTY !== false && !!process.stdin.isTTY;
  process.exitCode = await exec(api(), cx.load(), service, stdio(), {
    command,
    index: Number(o.index ?? 1),
    detach: !!o.detach,
    tty,
    interactive: o.interactive !== false && (tty || !process.stdin.isTTY),
    user: o.user as string | undefined,
    workdir: o.workdir as string | undefined,
    env: kv(o.env),
    privileged: !!o.privileged,
  });
}

export async function runCmd(cx: Ctx, service: string, command: string[], o: Opts): Promise<void> {
  const tty = o.TTY !== false && !!process.stdin.isTTY;
  const p = cx.load([service]);
  process.exitCode = await run(api(), p, service, cx.reporter, stdio(), {
    command,
    entrypoint: o.entrypoint === undefined ? undefined : [o.entrypoint as string],
    rm: !!o.rm,
    detach: !!o.detach,
    noDeps: o.deps === false,
    env: kv(o.env),
    labels: kv(o.label),
    user: o.user as string | undefined,
    workdir: o.workdir as string | undefined,
    name: o.name as string | undefined,
    tty,
    interactive: tty && o.interactive !== false,
    servicePorts: !!o.servicePorts,
    volumes: o.volume as string[] | undefined,
  });
}

export async function lifecycleCmd(cx: Ctx, what: 'start' | 'stop' | 'restart' | 'kill', services: string[], o: Opts) {
  const p = cx.load();
  const t = seconds(o.timeout);
  if (what === 'start')
    await startServices(api(), p, cx.reporter, services.length ? withDependencies(p.services, services) : []);
  else if (what === 'stop') await stopServices(api(), p, cx.reporter, services, t);
  else if (what === 'restart') await restartServices(api(), p, cx.reporter, services, t);
  else await killServices(api(), p, cx.reporter, services, o.signal as string | undefined);
}

export async function rmCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const cs = await removeServices(api(), cx.load(), cx.reporter, services, { stop: !!o.stop, volumes: !!o.volumes });
  if (!cs.length) process.stderr.write('No stopped containers\n');
}

export async function configCmd(cx: Ctx, o: Opts): Promise<void> {
  const p: Project = cx.load();
  let out: string;
  const names = (m: Record<string, unknown>) =>
    Object.keys(m)
      .sort()
      .map((n) => `${n}\n`)
      .join('');
  if (o.quiet) return;
  if (o.services) out = names(p.services);
  else if (o.volumes) out = names(p.volumes);
  else if (o.networks) out = names(p.networks);
  else if (o.profiles)
    out = [...new Set(Object.values({ ...p.services, ...p.disabled }).flatMap((s) => s.profiles ?? []))]
      .sort()
      .map((x) => `${x}\n`)
      .join('');
  else if (o.images)
    out = Object.keys(p.services)
      .sort()
      .map((n) => `${p.services[n].image ?? `${p.name}-${n}`}\n`)
      .join('');
  else if (o.hash) out = renderHashes(p, o.hash as string);
  else out = renderConfig(p, o.format === 'json' ? 'json' : 'yaml');
  if (o.output) (await import('node:fs')).writeFileSync(o.output as string, out);
  else process.stdout.write(out);
}

export async function lsCmd(o: Opts): Promise<void> {
  const { listContainers } = await import('../../client/containers.ts');
  const cs = await listContainers(api(), { all: true, filters: { label: [L.project] } });
  const projects = new Map<string, { states: Map<string, number>; files: string }>();
  for (const c of cs) {
    const name = c.Labels[L.project];
    const e = projects.get(name) ?? { states: new Map(), files: c.Labels[L.configFiles] ?? '' };
    e.states.set(c.State, (e.states.get(c.State) ?? 0) + 1);
    projects.set(name, e);
  }
  const list = [...projects.entries()]
    .filter(([, e]) => o.all || e.states.has('running'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({
      Name: name,
      Status: [...e.states.entries()].map(([s, n]) => `${s}(${n})`).join(', '),
      ConfigFiles: e.files,
    }));
  if (o.quiet) return void process.stdout.write(list.map((x) => `${x.Name}\n`).join(''));
  if (o.format === 'json') return void process.stdout.write(`${JSON.stringify(list)}\n`);
  process.stdout.write(
    table(
      ['NAME', 'STATUS', 'CONFIG FILES'],
      list.map((x) => [x.Name, x.Status, x.ConfigFiles]),
    ),
  );
}

export async function topCmd(cx: Ctx, services: string[]): Promise<void> {
  const p = cx.load();
  for (const c of (await selected(api(), p, services)).filter((x) => x.state === 'running')) {
    const t = await topContainer(api(), c.id);
    process.stdout.write(`${c.name}\n${table(t.Titles, t.Processes)}\n`);
  }
}

export async function imagesCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load();
  const cs = await selected(api(), p, services);
  const rows = [['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE']];
  const ids: string[] = [];
  const json: unknown[] = [];
  for (const c of cs) {
    const img = await api().inspectImage(c.summary.ImageID || c.summary.Image);
    const ref = c.summary.Image;
    const at = ref.lastIndexOf(':');
    const [repo, tag] = at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
    ids.push(img.Id);
    json.push({ ContainerName: c.name, Repository: repo, Tag: tag, ID: img.Id, Size: img.Size });
    rows.push([c.name, repo, tag, img.Id.replace(/^sha256:/, '').slice(0, 12), `${(img.Size / 1e6).toFixed(1)}MB`]);
  }
  if (o.quiet) return void process.stdout.write([...new Set(ids)].map((i) => `${i}\n`).join(''));
  if (o.format === 'json') return void process.stdout.write(`${JSON.stringify(json)}\n`);
  process.stdout.write(table(rows[0], rows.slice(1)));
}

export async function portCmd(cx: Ctx, service: string, port: string, o: Opts): Promise<void> {
  const p = cx.load();
  const cs = (await selected(api(), p, [service])).filter((c) => !c.oneoff);
  const c = cs.find((x) => x.number === Number(o.index ?? 1));
  if (!c) throw new Error(`service "${service}" has no container number ${o.index ?? 1}`);
  const ports = (await inspectContainer(api(), c.id)).NetworkSettings.Ports ?? {};
  const b = ports[`${port}/${o.protocol ?? 'tcp'}`]?.[0];
  if (!b) throw new Error(`no port ${port}/${o.protocol ?? 'tcp'} published for ${c.name}`);
  process.stdout.write(`${b.HostIp || '0.0.0.0'}:${b.HostPort}\n`);
}

export async function eventsCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load();
  const filters: Record<string, string[]> = { type: ['container'], label: [`${L.project}=${p.name}`] };
  for await (const e of api().events({ filters })) {
    const attrs = (e.Actor?.Attributes ?? {}) as Record<string, string>;
    const svc = attrs[L.service];
    if (services.length && !services.includes(svc)) continue;
    const time = new Date(Number(e.timeNano ?? (e.time ?? 0) * 1e9) / 1e6).toISOString();
    if (o.json)
      process.stdout.write(
        `${JSON.stringify({ time, type: 'container', action: e.Action, id: e.Actor?.ID, service: svc, attributes: attrs })}\n`,
      );
    else process.stdout.write(`${time} container ${e.Action} ${e.Actor?.ID} (name=${attrs.name}, service=${svc})\n`);
  }
}

export async function waitCmd(cx: Ctx, services: string[], o: Opts): Promise<void> {
  const p = cx.load();
  const { waitContainer } = await import('../../client/containers.ts');
  const cs = await selected(api(), p, services);
  const results = cs.map(async (c) => {
    const w = await waitContainer(api(), c.id, 'not-running');
    const code = (await w.result).StatusCode;
    process.stdout.write(`${code}\n`);
    return code;
  });
  if (o.downProject) {
    await Promise.race(results);
    await down(api(), p, cx.reporter, {});
    return;
  }
  const codes = await Promise.all(results);
  process.exitCode = codes.find((c) => c !== 0) ?? 0;
}

/** berth logs, top, diff, export, port. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import {
  containerChanges,
  containerLogs,
  exportContainer,
  inspectContainer,
  topContainer,
} from '../../client/containers.ts';
import { FrameDemuxer } from '../../client/hijack.ts';
import { api } from '../context.ts';
import { table } from '../output.ts';

export async function logs(
  name: string,
  o: { follow?: boolean; tail?: string; since?: string; until?: string; timestamps?: boolean; details?: boolean },
): Promise<void> {
  const res = await containerLogs(api(), name, o);
  const type = String(res.headers['content-type'] ?? '');
  const framed = type.includes('multiplexed')
    ? true
    : type.includes('raw-stream')
      ? false
      : !(await inspectContainer(api(), name)).Config.Tty;
  const demux = new FrameDemuxer((s, d) => (s === 2 ? process.stderr : process.stdout).write(d));
  for await (const chunk of res) {
    if (framed) demux.push(chunk as Buffer);
    else process.stdout.write(chunk as Buffer);
  }
}

export async function top(name: string, psArgs: string[]): Promise<void> {
  const r = await topContainer(api(), name, psArgs.length ? psArgs.join(' ') : undefined);
  process.stdout.write(table(r.Titles, r.Processes));
}

export async function diff(name: string): Promise<void> {
  const changes = (await containerChanges(api(), name)) ?? [];
  process.stdout.write(changes.map((c) => `${'CAD'[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
}

export async function exportTar(name: string, o: { output?: string }): Promise<void> {
  if (!o.output && process.stdout.isTTY)
    throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const res = await exportContainer(api(), name);
  try {
    await pipeline(res, o.output ? createWriteStream(o.output) : process.stdout);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]` from the container's NetworkSettings.Ports. */
export async function port(name: string, privatePort?: string): Promise<void> {
  const info = await inspectContainer(api(), name);
  const ports = info.NetworkSettings.Ports ?? {};
  const fmt = (b: { HostIp: string; HostPort: string }) =>
    `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp || '0.0.0.0'}:${b.HostPort}`;
  if (privatePort) {
    const key = privatePort.includes('/') ? privatePort : `${privatePort}/tcp`;
    const bindings = ports[key];
    if (!bindings?.length) throw new Error(`No public port '${key}' published for ${name}`);
    process.stdout.write(bindings.map((b) => `${fmt(b)}\n`).join(''));
    return;
  }
  const lines: string[] = [];
  for (const [k, bindings] of Object.entries(ports)) for (const b of bindings ?? []) lines.push(`${k} -> ${fmt(b)}`);
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}

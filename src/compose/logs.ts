/**
 * Logs of many containers at once, each line prefixed with the container's
 * name in its own colour (`web-1  | …`), as `up` (attached) and `logs` show.
 */
import type { IncomingMessage } from 'node:http';
import type { EngineClient } from '../client/client.ts';
import { containerLogs, inspectContainer } from '../client/containers.ts';
import { FrameDemuxer } from '../client/hijack.ts';
import type { Replica } from './state.ts';

const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  colour?: boolean;
  prefix?: boolean;
}

/** A writer of prefixed lines for one container; keeps partial lines until their newline. */
export function prefixer(label: string, width: number, colour: number | undefined, out: NodeJS.WritableStream) {
  const pad = label.padEnd(width);
  const head = colour === undefined ? `${pad} | ` : `\x1b[${colour}m${pad} |\x1b[0m `;
  let partial = '';
  return {
    write(chunk: Buffer | string) {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) out.write(`${head}${l.replace(/\r$/, '')}\n`);
    },
    flush() {
      if (partial) out.write(`${head}${partial}\n`);
      partial = '';
    },
  };
}

/** The short name Compose shows for a replica: its container name without the project prefix. */
export function displayName(c: Replica, project: string): string {
  return c.name.startsWith(`${project}-`) ? c.name.slice(project.length + 1) : c.name;
}

/** Streams the logs of `containers`; resolves when every stream ends (follow: when the containers stop). */
export async function streamLogs(
  api: EngineClient,
  project: string,
  containers: Replica[],
  out: NodeJS.WritableStream,
  o: LogOptions = {},
): Promise<IncomingMessage[]> {
  const width = Math.max(0, ...containers.map((c) => displayName(c, project).length));
  const streams: IncomingMessage[] = [];
  await Promise.all(
    containers.map(async (c, i) => {
      const tty = (await inspectContainer(api, c.id)).Config.Tty;
      const res = await containerLogs(api, c.id, {
        follow: o.follow,
        tail: o.tail,
        since: o.since,
        until: o.until,
        timestamps: o.timestamps,
      });
      streams.push(res);
      const w =
        o.prefix === false
          ? { write: (d: Buffer) => out.write(d), flush() {} }
          : prefixer(displayName(c, project), width, o.colour ? COLOURS[i % COLOURS.length] : undefined, out);
      const demux = new FrameDemuxer((_s, d) => w.write(d));
      await new Promise<void>((resolve) => {
        res.on('data', (d: Buffer) => (tty ? w.write(d) : demux.push(d)));
        res.on('end', () => {
          w.flush();
          resolve();
        });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
    }),
  );
  return streams;
}

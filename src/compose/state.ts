/**
 * What the daemon has of a project: its containers (by the
 * `com.docker.compose.project` label), grouped by service, with their
 * replica numbers and config hashes. Also what reports progress.
 */
import type { EngineClient } from '../client/client.ts';
import { listContainers } from '../client/containers.ts';
import type { ContainerSummary } from '../wire/containers.ts';
import { L, projectFilter } from './labels.ts';

export interface Replica {
  id: string;
  name: string;
  service: string;
  number: number;
  oneoff: boolean;
  hash: string;
  state: string;
  summary: ContainerSummary;
}

export function toReplica(c: ContainerSummary): Replica {
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    service: c.Labels[L.service] ?? '',
    number: Number(c.Labels[L.number] ?? 0),
    oneoff: c.Labels[L.oneoff] === 'True',
    hash: c.Labels[L.configHash] ?? '',
    state: c.State,
    summary: c,
  };
}

/** Every container of the project (running or not), sorted by service then number. */
export async function projectContainers(
  api: EngineClient,
  project: string,
  o: { all?: boolean; oneoff?: boolean | 'any' } = {},
): Promise<Replica[]> {
  const list = await listContainers(api, { all: o.all ?? true, filters: projectFilter(project) });
  return list
    .map(toReplica)
    .filter((r) => o.oneoff === 'any' || r.oneoff === (o.oneoff ?? false))
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

/** Progress lines as Docker Compose prints them (" ✔ Container x  Started"). */
export interface Reporter {
  event(kind: string, name: string, status: string): void;
  warn(message: string): void;
  /** Raw output (build/pull progress). */
  info(message: string): void;
}

export function streamReporter(err: NodeJS.WritableStream, quiet = false): Reporter {
  return {
    event: (kind, name, status) => {
      if (!quiet) err.write(` ✔ ${kind} ${name}  ${status}\n`);
    },
    warn: (m) => err.write(`WARN[0000] ${m}\n`),
    info: (m) => {
      if (!quiet) err.write(`${m}\n`);
    },
  };
}

export const silentReporter: Reporter = { event() {}, warn() {}, info() {} };

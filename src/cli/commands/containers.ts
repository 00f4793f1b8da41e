/** berth start/stop/kill/restart/pause/unpause/rm/rename/wait/create and container prune. */
import { createInterface } from 'node:readline';
import {
  killContainer,
  pauseContainer,
  pruneContainers,
  removeContainer,
  renameContainer,
  restartContainer,
  stopContainer,
  unpauseContainer,
  waitContainer,
} from '../../client/containers.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { humanSize } from '../output.ts';

/** Runs `fn` for each name; prints what succeeded (or `out(name)`), reports failures, exit 1 if any failed. */
export async function each(names: string[], fn: (name: string) => Promise<unknown>, print = true): Promise<void> {
  let failed = false;
  for (const n of names) {
    try {
      const r = await fn(n);
      if (print) process.stdout.write(`${typeof r === 'string' ? r : n}\n`);
    } catch (e) {
      failed = true;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

const seconds = (t: string | undefined) => (t === undefined ? undefined : Number(t));

export function stop(names: string[], o: { time?: string; signal?: string }): Promise<void> {
  return each(names, (n) => stopContainer(api(), n, { timeout: seconds(o.time), signal: o.signal }));
}

export function restart(names: string[], o: { time?: string; signal?: string }): Promise<void> {
  return each(names, (n) => restartContainer(api(), n, { timeout: seconds(o.time), signal: o.signal }));
}

export function kill(names: string[], o: { signal?: string }): Promise<void> {
  return each(names, (n) => killContainer(api(), n, o.signal));
}

export function pause(names: string[]): Promise<void> {
  return each(names, (n) => pauseContainer(api(), n));
}

export function unpause(names: string[]): Promise<void> {
  return each(names, (n) => unpauseContainer(api(), n));
}

export function remove(names: string[], o: { force?: boolean; volumes?: boolean }): Promise<void> {
  return each(names, (n) => removeContainer(api(), n, o));
}

export async function rename(from: string, to: string): Promise<void> {
  await renameContainer(api(), from, to);
}

/** Prints each container's exit code once it stops. */
export function wait(names: string[]): Promise<void> {
  return each(names, async (n) => {
    const { result } = await waitContainer(api(), n, 'not-running');
    const r = await result;
    if (r.Error?.Message) throw new Error(r.Error.Message);
    return String(r.StatusCode);
  });
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((r) => rl.question(question, r));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export async function prune(o: { force?: boolean; filter?: string[] }): Promise<void> {
  if (
    !o.force &&
    !(await confirm('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '))
  )
    return;
  const r = await pruneContainers(api(), filterFlags(o.filter));
  if (r.ContainersDeleted?.length)
    process.stdout.write(`Deleted Containers:\n${r.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`);
  process.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
}

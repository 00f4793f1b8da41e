/** berth run, create, start and attach. */
import { writeFileSync } from 'node:fs';
import {
  createContainer,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
} from '../../client/containers.ts';
import { ApiError } from '../../client/errors.ts';
import { api } from '../context.ts';
import { type CreateFlags, type CreatePlan, createRequest } from '../run-flags/index.ts';
import { attachSession, StartError, startExitCode } from '../session.ts';
import { exitWith, terminalSize } from '../tty.ts';

export interface RunFlags extends CreateFlags {
  pull?: string;
  quiet?: boolean;
  cidfile?: string;
  detachKeys?: string;
  sigProxy?: boolean;
}

/** Docker's way of failing before the container runs: the message, and 125. */
class UsageError extends Error {}

function fail(e: unknown, verb: string): Promise<never> {
  const msg = (e as Error).message;
  if (e instanceof ApiError || e instanceof StartError)
    process.stderr.write(`berth: Error response from daemon: ${msg}\n`);
  else process.stderr.write(`berth: ${msg}\n`);
  if (e instanceof UsageError) process.stderr.write(`See 'berth ${verb} --help'.\n`);
  return exitWith(e instanceof StartError ? e.exitCode : 125);
}

async function pull(image: string, quiet: boolean): Promise<void> {
  for await (const m of pullImage(api(), image)) {
    if (!quiet && m.status && !m.progressDetail?.total) process.stderr.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
  }
}

/** Creates the container, pulling its image first if `--pull` says so. */
async function createFrom(plan: CreatePlan, o: RunFlags): Promise<string> {
  const image = plan.body.Image as string;
  if (o.pull === 'always') await pull(image, !!o.quiet);
  const create = () => createContainer(api(), plan.body, { name: plan.name, platform: plan.platform });
  let created: Awaited<ReturnType<typeof create>>;
  try {
    created = await create();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404 && /no such image/i.test(e.message)) || o.pull === 'never') throw e;
    process.stderr.write(`Unable to find image '${image}' locally\n`);
    try {
      await pull(image, !!o.quiet);
    } catch (pe) {
      throw new ApiError(404, `pull access denied for ${image}: ${(pe as Error).message}`);
    }
    created = await create();
  }
  for (const w of created.Warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
  if (o.cidfile) writeFileSync(o.cidfile, created.Id, { flag: 'wx' });
  return created.Id;
}

function plan(image: string, args: string[], o: RunFlags): CreatePlan {
  try {
    const p = createRequest(image, args, o);
    const size = o.tty && !o.detach ? terminalSize() : undefined;
    if (size && p.body.HostConfig) p.body.HostConfig.ConsoleSize = size;
    return p;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function create(image: string, args: string[], o: RunFlags): Promise<void> {
  try {
    const id = await createFrom(plan(image, args, o), o);
    process.stdout.write(`${id}\n`);
  } catch (e) {
    await fail(e, 'create');
  }
}

export async function run(image: string, args: string[], o: RunFlags): Promise<void> {
  try {
    if (o.interactive && o.tty && !o.detach && !process.stdin.isTTY) throw new Error('the input device is not a TTY');
    const p = plan(image, args, o);
    const id = await createFrom(p, o);
    if (o.detach) {
      try {
        await startContainer(api(), id);
      } catch (e) {
        if (o.rm) await removeContainer(api(), id, { force: true }).catch(() => {});
        throw e instanceof ApiError ? new StartError(e.message) : e;
      }
      process.stdout.write(`${id}\n`);
      return;
    }
    const c = p.body;
    const r = await attachSession({
      onStartFailure: o.rm ? () => removeContainer(api(), id, { force: true }).catch(() => {}) : undefined,
      id,
      tty: !!c.Tty,
      stdin: !!c.AttachStdin,
      stdout: !!c.AttachStdout,
      stderr: !!c.AttachStderr,
      detachKeys: o.detachKeys,
      sigProxy: o.sigProxy !== false,
      start: true,
      waitCondition: o.rm ? 'removed' : 'next-exit',
    });
    if (r.detached) return exitWith(0);
    if (r.status.Error?.Message) process.stderr.write(`berth: ${r.status.Error.Message}\n`);
    return exitWith(r.status.StatusCode);
  } catch (e) {
    if (e instanceof Error && e.message === 'the input device is not a TTY') {
      process.stderr.write(`${e.message}\n`);
      return exitWith(1);
    }
    return fail(e, 'run');
  }
}

/** `start CONTAINER...`, or with `-a` one container attached (its exit code becomes berth's). */
export async function start(
  names: string[],
  o: { attach?: boolean; interactive?: boolean; detachKeys?: string },
): Promise<void> {
  if (!o.attach && !o.interactive) {
    const { each } = await import('./containers.ts');
    return each(names, (n) => startContainer(api(), n));
  }
  if (names.length > 1) throw new Error('you cannot start and attach multiple containers at once');
  const info = await inspectContainer(api(), names[0] as string);
  if (info.State.Running) throw new Error(`container ${names[0]} is already running`);
  try {
    const r = await attachSession({
      id: info.Id,
      tty: info.Config.Tty,
      stdin: !!o.interactive && info.Config.OpenStdin,
      stdout: true,
      stderr: true,
      detachKeys: o.detachKeys,
      sigProxy: !info.Config.Tty,
      start: true,
      waitCondition: info.HostConfig.AutoRemove ? 'removed' : 'next-exit',
    });
    return exitWith(r.detached ? 0 : r.status.StatusCode);
  } catch (e) {
    if (e instanceof StartError) {
      process.stderr.write(`Error response from daemon: ${e.message}\n`);
      return exitWith(startExitCode(e.message) === 125 ? 1 : e.exitCode);
    }
    throw e;
  }
}

export async function attach(
  name: string,
  o: { stdin?: boolean; detachKeys?: string; sigProxy?: boolean },
): Promise<void> {
  const info = await inspectContainer(api(), name);
  if (!info.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (info.State.Paused) throw new Error(`You cannot attach to a paused container, unpause it first`);
  const r = await attachSession({
    id: info.Id,
    tty: info.Config.Tty,
    stdin: o.stdin !== false && info.Config.OpenStdin,
    stdout: true,
    stderr: true,
    detachKeys: o.detachKeys,
    sigProxy: o.sigProxy !== false,
    start: false,
    waitCondition: 'not-running',
  });
  return exitWith(r.detached ? 0 : r.status.StatusCode);
}

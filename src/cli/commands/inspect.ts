/** berth inspect (containers, then images; --type to choose) and container inspect. */
import { inspectContainer } from '../../client/containers.ts';
import { ApiError } from '../../client/errors.ts';
import { api } from '../context.ts';
import { printJson } from '../output.ts';
import { render } from '../template.ts';

/** `inspect` of containers (`kinds` containers) or of anything (containers, then images). */
export async function inspect(
  names: string[],
  o: { format?: string; size?: boolean; type?: string },
  kinds: 'container' | 'any' = 'container',
): Promise<void> {
  const type = kinds === 'container' ? 'container' : (o.type ?? 'any');
  const out: unknown[] = [];
  let failed = false;
  for (const n of names) {
    try {
      out.push(await inspectOne(n, type, !!o.size));
    } catch (e) {
      failed = true;
      const msg =
        e instanceof ApiError && e.status === 404 && type === 'any' ? `No such object: ${n}` : (e as Error).message;
      process.stderr.write(type === 'any' ? `Error: ${msg}\n` : `Error response from daemon: ${msg}\n`);
    }
  }
  if (o.format && o.format !== 'json')
    process.stdout.write(out.map((x) => `${render(o.format as string, x)}\n`).join(''));
  else printJson(out);
  if (failed) process.exitCode = 1;
}

async function inspectOne(name: string, type: string, size: boolean): Promise<unknown> {
  if (type === 'image') return api().inspectImage(name);
  if (type === 'container') return inspectContainer(api(), name, size);
  if (type !== 'any') throw new Error(`"${type}" is not a valid value for --type`);
  try {
    return await inspectContainer(api(), name, size);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    return api().inspectImage(name);
  }
}

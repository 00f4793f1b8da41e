/** Imports a root filesystem tar as a tagged image, unless an image with the same source label exists. */
import type { Readable } from 'node:stream';
import { ApiError } from '../../client/errors.ts';
import { api } from '../context.ts';
import { shortId } from '../output.ts';

export const SOURCE_LABEL = 'org.berth.bootstrap.source';

export async function upToDate(ref: string, source: string): Promise<boolean> {
  try {
    const img = await api().inspectImage(ref);
    return (img.Config.Labels as Record<string, string> | null)?.[SOURCE_LABEL] === source;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
}

export async function importRootfs(
  src: Readable,
  ref: string,
  source: string,
  changes: string[],
  message: string,
): Promise<string> {
  const at = ref.lastIndexOf(':');
  let id = '';
  for await (const m of api().importImage(src, {
    repo: ref.slice(0, at),
    tag: ref.slice(at + 1),
    message,
    changes: [...changes, `LABEL ${SOURCE_LABEL}="${source}"`],
  })) {
    if (m.status) id = m.status;
  }
  process.stdout.write(`${ref} ${shortId(id)}\n`);
  return id;
}

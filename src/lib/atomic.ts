/**
 * Atomic file writes: write to a temporary sibling, fsync, rename into place.
 * A reader sees the old content or the new, never a part.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * `durable: false` skips the fsync: still atomic (never a torn file), but a
 * power loss may leave the old content. For files rebuilt at every use.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
  opts: { durable?: boolean } = {},
): Promise<void> {
  const tmp = tempSibling(path);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    if (opts.durable !== false) await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Lists repositories: every folder under repositories/ that holds manifests or layers. */
import { REPOS } from './layout.ts';
import type { StorageDriver } from './storage/driver.ts';

const MARKERS = new Set(['_manifests', '_layers']);

export async function listRepositories(driver: StorageDriver): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string, name: string) => {
    const children = await driver.list(path);
    if (name && children.some((c) => MARKERS.has(c))) out.push(name);
    for (const c of children) {
      if (c.startsWith('_')) continue;
      await walk(`${path}/${c}`, name ? `${name}/${c}` : c);
    }
  };
  await walk(REPOS, '');
  return out.sort();
}

/** One page of a sorted list after `last`, at most `n` entries; `more` when entries remain. */
export function paginate(
  all: string[],
  n: number | undefined,
  last: string | undefined,
): { page: string[]; more: boolean } {
  const from = last === undefined ? all : all.filter((x) => x > last);
  if (n === undefined) return { page: from, more: false };
  return { page: from.slice(0, n), more: n > 0 && from.length > n };
}

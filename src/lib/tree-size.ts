/** Bytes of the regular files and links under a directory (like `du --apparent-size`). */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function treeSize(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() || st.isSymbolicLink()) n += st.size;
    }
  };
  walk(dir);
  return n;
}

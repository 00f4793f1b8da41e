/**
 * Source paths of COPY/ADD: cleaned so they never leave their root, and
 * wildcards (`*`, `?`, `[a-z]`, as Go's filepath.Match) expanded segment by
 * segment against the tree.
 */
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';

export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p);
}

/** `../x`, `/x`, `./x/` → `x`; the root itself is ''. */
export function cleanSource(p: string): string {
  const n = posix.normalize(`/${p}`);
  return n === '/' ? '' : n.slice(1).replace(/\/$/, '');
}

function segmentRegex(seg: string): RegExp {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '\\' && i + 1 < seg.length) out += escapeRe(seg[++i]);
    else if (ch === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let cls = seg.slice(i + 1, end);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += escapeRe(ch);
  }
  return new RegExp(`^${out}$`, 's');
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Relative paths under root that match the (cleaned) pattern, sorted. */
export async function expandWildcard(root: string, pattern: string): Promise<string[]> {
  let current = [''];
  for (const seg of pattern.split('/')) {
    const next: string[] = [];
    for (const base of current) {
      if (!hasWildcard(seg)) {
        next.push(base ? `${base}/${seg}` : seg);
        continue;
      }
      let names: string[] = [];
      try {
        names = await readdir(join(root, base));
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const n of names.sort()) if (re.test(n)) next.push(base ? `${base}/${n}` : n);
    }
    current = next;
  }
  return current;
}

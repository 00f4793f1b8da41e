/**
 * `-u user[:group]` to numeric IDs, from the container's own /etc/passwd and
 * /etc/group (never the host's), as Docker resolves them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../lib/errors.ts';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function readDb(rootfs: string, file: string): string[][] {
  try {
    return readFileSync(join(rootfs, 'etc', file), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const isNum = (s: string) => /^\d+$/.test(s);

export function resolveUser(rootfs: string, spec: string, groupAdd: string[] = []): ResolvedUser {
  const [u, g] = spec ? spec.split(':', 2) : ['', undefined];
  const passwd = readDb(rootfs, 'passwd');
  const groups = readDb(rootfs, 'group');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (u === '' || u === undefined) {
    const root = passwd.find((p) => p[2] === '0');
    home = root?.[5] || '/root';
    name = root?.[0] ?? 'root';
  } else {
    const entry = isNum(u) ? passwd.find((p) => p[2] === u) : passwd.find((p) => p[0] === u);
    if (!entry && !isNum(u))
      throw new InvalidArgumentError(`unable to find user ${u}: no matching entries in passwd file`);
    uid = isNum(u) ? Number(u) : Number(entry?.[2]);
    gid = entry ? Number(entry[3]) : 0;
    home = entry?.[5] || '/';
    name = entry?.[0];
  }
  if (g !== undefined && g !== '') {
    if (isNum(g)) gid = Number(g);
    else {
      const ge = groups.find((x) => x[0] === g);
      if (!ge) throw new InvalidArgumentError(`unable to find group ${g}: no matching entries in group file`);
      gid = Number(ge[2]);
    }
  }
  // Supplementary groups as runc's lookup gives them: the user's memberships,
  // or the primary group when there are none; then --group-add.
  const member = name ? groups.filter((ge) => (ge[3] ?? '').split(',').includes(name)).map((ge) => Number(ge[2])) : [];
  const additional = new Set<number>(member.length ? member : [gid]);
  for (const a of groupAdd) {
    if (isNum(a)) additional.add(Number(a));
    else {
      const ge = groups.find((x) => x[0] === a);
      if (!ge) throw new InvalidArgumentError(`unable to find group ${a}`);
      additional.add(Number(ge[2]));
    }
  }
  return { uid, gid, additionalGids: [...additional], home };
}

/** berth commit and update. */
import { commitContainer, type UpdateRequest, updateContainer } from '../../client/containers.ts';
import { api } from '../context.ts';
import { type CreateFlags, parseBytes, parseRestart } from '../run-flags/index.ts';

export async function commit(
  container: string,
  reference: string | undefined,
  o: { change?: string[]; message?: string; author?: string; pause?: boolean },
): Promise<void> {
  let repo: string | undefined;
  let tag: string | undefined;
  if (reference) {
    const colon = reference.lastIndexOf(':');
    const slash = reference.lastIndexOf('/');
    [repo, tag] = colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, undefined];
  }
  const r = await commitContainer(api(), container, {
    repo,
    tag,
    comment: o.message,
    author: o.author,
    pause: o.pause !== false,
    changes: o.change,
  });
  process.stdout.write(`${r.Id}\n`);
}

/** `update` takes the resource flags of `run` (same names, same parsing) and --restart. */
export type UpdateFlags = Pick<
  CreateFlags,
  | 'memory'
  | 'memorySwap'
  | 'memoryReservation'
  | 'cpus'
  | 'cpuShares'
  | 'cpuPeriod'
  | 'cpuQuota'
  | 'cpusetCpus'
  | 'cpusetMems'
  | 'pidsLimit'
  | 'blkioWeight'
  | 'restart'
>;

export function updateRequest(o: UpdateFlags): UpdateRequest {
  const n = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const body: UpdateRequest = {
    Memory: o.memory ? parseBytes(o.memory) : undefined,
    MemorySwap: o.memorySwap ? (o.memorySwap === '-1' ? -1 : parseBytes(o.memorySwap)) : undefined,
    MemoryReservation: o.memoryReservation ? parseBytes(o.memoryReservation) : undefined,
    NanoCpus: o.cpus ? Math.round(Number(o.cpus) * 1e9) : undefined,
    CpuShares: n(o.cpuShares),
    CpuPeriod: n(o.cpuPeriod),
    CpuQuota: n(o.cpuQuota),
    CpusetCpus: o.cpusetCpus,
    CpusetMems: o.cpusetMems,
    PidsLimit: n(o.pidsLimit),
    BlkioWeight: n(o.blkioWeight),
    RestartPolicy: parseRestart(o.restart),
  };
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) delete body[k as keyof UpdateRequest];
    else if (typeof v === 'number' && Number.isNaN(v)) throw new Error(`invalid value for ${k}`);
  }
  if (!Object.keys(body).length) throw new Error('you must provide one or more flags when using this command');
  return body;
}

export async function update(names: string[], o: UpdateFlags): Promise<void> {
  const body = updateRequest(o);
  const { each } = await import('./containers.ts');
  await each(names, async (n) => {
    const r = await updateContainer(api(), n, body);
    for (const w of r?.Warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
  });
}

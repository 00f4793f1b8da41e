/** Docker's resource flags (`--memory`, `--cpus`, …) to the OCI `linux.resources` object. */
import { InvalidArgumentError } from '../lib/errors.ts';
import type { OciResources } from './oci-types.ts';
import type { ResourcesInput } from './spec-input.ts';

export const CPU_PERIOD_DEFAULT = 100_000;

export function buildResources(r: ResourcesInput | undefined): OciResources {
  const out: OciResources = {};
  if (!r) return out;
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memory && r.memory > 0) {
    if (r.memory < 6 * 1024 * 1024) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
    memory.limit = r.memory;
    if (r.memorySwap === undefined || r.memorySwap === 0) memory.swap = r.memory * 2;
    else if (r.memorySwap === -1) memory.swap = -1;
    else if (r.memorySwap < r.memory) {
      throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit');
    } else memory.swap = r.memorySwap;
  } else if (r.memorySwap && r.memorySwap > 0) {
    throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit');
  }
  if (r.memoryReservation && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (Object.keys(memory).length) out.memory = memory;

  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.nanoCpus && r.nanoCpus > 0) {
    if (r.cpuQuota || r.cpuPeriod) {
      throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set');
    }
    cpu.period = CPU_PERIOD_DEFAULT;
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD_DEFAULT) / 1e9);
  } else {
    if (r.cpuQuota && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
    if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  }
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;

  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  if (r.blkioWeight && r.blkioWeight > 0) out.blockIO = { weight: r.blkioWeight };
  return out;
}

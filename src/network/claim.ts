/**
 * Claiming address space on the host. Every Berth daemon on a machine (a
 * production one, the tests', the benchmarks') picks its bridges' subnets
 * away from the host's routes; picking and creating the bridge that makes
 * the pick visible to the others happen under one host-wide lock, so two
 * daemons starting together never take the same subnet.
 */
import { withLock } from '../sys/lock.ts';

/** Host-wide, not per daemon: /run is a tmpfs, so it starts empty at boot. */
export const HOST_CLAIM_LOCK = '/run/lock/berth-subnets.lock';

/** Runs `pickAndCreate` while no other daemon on this host picks a subnet. */
export function claimHostSubnet<T>(pickAndCreate: () => T): T {
  return withLock(HOST_CLAIM_LOCK, pickAndCreate);
}

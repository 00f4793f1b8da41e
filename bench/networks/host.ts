/**
 * Host-side leftovers of a benchmark's engines, and their removal: berthd
 * leaves its containers, bridges, iptables chains and DNS resolver process
 * behind on SIGTERM (they are meant to outlive a daemon restart), Docker its
 * user networks' bridges, and Podman's CNI
 * leaves `cni-podman*` bridges and `CNI-*` chains. Each remover deletes only
 * what the given engine made (instance-prefixed names, or names that were
 * not on the host when the benchmark began).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { instanceName } from '../../src/daemon/config.ts';
import { hostLinks, isInstanceLink, removeInstanceRules, resolverPid } from '../../src/network/index.ts';
import { dockerCli, runAsync } from '../../test/helpers/daemon.ts';
import type { Berthd } from '../lib/peers.ts';

/** Removes berthd's containers (they outlive the daemon), stops it, removes its resolver, bridges, veths and chains. */
export async function stopBerthdClean(b: Berthd): Promise<void> {
  if (b.proc.exitCode === null) {
    const ids = (await runAsync(dockerCli(), ['ps', '-aq'], b.env)).stdout.split('\n').filter(Boolean);
    if (ids.length) await runAsync(dockerCli(), ['rm', '-f', ...ids], b.env);
  }
  const instance = instanceName(join(b.dir, 'data'));
  const resolver = resolverPid(join(b.dir, 'exec'));
  await b.stop();
  if (resolver) {
    try {
      process.kill(resolver, 'SIGTERM');
    } catch {}
  }
  for (const l of hostLinks()) if (isInstanceLink(instance, l)) spawnSync('ip', ['link', 'del', l]);
  await removeInstanceRules(instance);
}

/** Names of links and iptables chains now on the host. */
export interface HostSnapshot {
  links: Set<string>;
  chains: Set<string>;
}

function chains(): Set<string> {
  const out = spawnSync('iptables-save', []).stdout.toString();
  return new Set([...out.matchAll(/^:(\S+)/gm)].map((m) => m[1]));
}

export function snapshotHost(): HostSnapshot {
  return { links: new Set(hostLinks()), chains: chains() };
}

/** Removes Docker's user-network bridges (`br-…`) that appeared since `before` (dockerd keeps them on stop). */
export function removeDockerLeftovers(before: HostSnapshot): void {
  for (const l of hostLinks())
    if (!before.links.has(l) && /^br-[0-9a-f]{12}$/.test(l)) spawnSync('ip', ['link', 'del', l]);
}

/** Removes Podman/CNI bridges and `CNI-*` chains that appeared since `before`. */
export function removeCniLeftovers(before: HostSnapshot): void {
  for (const l of hostLinks())
    if (!before.links.has(l) && /^cni-podman\d+$/.test(l)) spawnSync('ip', ['link', 'del', l]);
  const fresh = [...chains()].filter((c) => !before.chains.has(c) && c.startsWith('CNI-'));
  if (!fresh.length) return;
  // Jumps first (any rule naming a fresh chain), then flush and delete the chains.
  for (const table of ['filter', 'nat']) {
    const save = spawnSync('iptables-save', ['-t', table]).stdout.toString();
    for (const line of save.split('\n')) {
      if (!line.startsWith('-A ')) continue;
      const [, chain] = line.split(' ');
      if (fresh.includes(chain)) continue;
      if (fresh.some((c) => line.includes(` -j ${c}`)))
        spawnSync('sh', ['-c', `iptables -t ${table} -D ${line.slice(3)}`]);
    }
    for (const c of fresh) spawnSync('iptables', ['-t', table, '-F', c]);
    for (const c of fresh) spawnSync('iptables', ['-t', table, '-X', c]);
  }
}

/**
 * The daemon's firewall rules (iptables-nft only), in chains named after
 * its instance:
 *
 *   filter  INSTANCE-FWD    jumped to first from FORWARD: accepts traffic of
 *                           Berth's bridges, so Docker's FORWARD DROP policy
 *                           does not stop it; isolates --internal networks
 *   nat     INSTANCE-PORTS  jumped to from PREROUTING and OUTPUT (local
 *                           destinations): one DNAT per published port
 *           INSTANCE-POST   jumped to from POSTROUTING: MASQUERADE of
 *                           outbound traffic, and of loopback sources sent
 *                           to a bridge (published ports on 127.0.0.1)
 *
 * The chains are a function of the networks and the published ports: every
 * change rewrites them whole in one `iptables-nft-restore --noflush` (one
 * process, 10-20 ms, only when networks or published ports change; a
 * container without published ports costs no firewall work). A rewrite
 * also drops whatever a killed daemon left behind.
 */
import { spawn } from 'node:child_process';

const RESTORE = '/usr/sbin/iptables-nft-restore';
const SAVE = '/usr/sbin/iptables-nft-save';

export interface FirewallNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
}

export interface FirewallPort {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  ip: string;
  port: number;
  bridge: string;
}

export interface FirewallState {
  networks: FirewallNetwork[];
  ports: FirewallPort[];
}

export function chainNames(instance: string) {
  return { fwd: `${instance}-FWD`, ports: `${instance}-PORTS`, post: `${instance}-POST` };
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout?.on('data', (d) => (out += d));
    p.stderr?.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} failed: ${err.trim() || code}`))));
    if (p.stdin) {
      p.stdin.on('error', () => {});
      p.stdin.end(input);
    }
  });
}

/** Lines of iptables-save that jump from a built-in chain into this instance's chains, per table. */
export function instanceJumps(save: string, instance: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith('-A ') && line.includes(` -j ${instance}-`) && !line.startsWith(`-A ${instance}-`))
      out.set(table, [...(out.get(table) ?? []), line.slice(3)]);
  }
  return out;
}

/** The restore script for a state; `drop` are jump specs to delete first; `install` adds the jumps. */
export function restoreScript(
  instance: string,
  s: FirewallState,
  drop: Map<string, string[]>,
  install: boolean,
): string {
  const c = chainNames(instance);
  const filter = ['*filter', `:${c.fwd} - [0:0]`];
  for (const j of drop.get('filter') ?? []) filter.push(`-D ${j}`);
  if (install) filter.push(`-I FORWARD 1 -j ${c.fwd}`);
  for (const n of s.networks) {
    filter.push(`-A ${c.fwd} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    filter.push(`-A ${c.fwd} -i ${n.bridge} -o ${n.bridge} -j ACCEPT`);
    if (n.internal) {
      filter.push(`-A ${c.fwd} -i ${n.bridge} -j DROP`, `-A ${c.fwd} -o ${n.bridge} -j DROP`);
    } else {
      filter.push(`-A ${c.fwd} -o ${n.bridge} -m conntrack --ctstate DNAT -j ACCEPT`);
      filter.push(`-A ${c.fwd} -i ${n.bridge} -j ACCEPT`);
    }
  }
  filter.push('COMMIT');
  const nat = ['*nat', `:${c.ports} - [0:0]`, `:${c.post} - [0:0]`];
  for (const j of drop.get('nat') ?? []) nat.push(`-D ${j}`);
  if (install) {
    nat.push(`-A PREROUTING -m addrtype --dst-type LOCAL -j ${c.ports}`);
    nat.push(`-A OUTPUT -m addrtype --dst-type LOCAL -j ${c.ports}`);
    nat.push(`-A POSTROUTING -j ${c.post}`);
  }
  for (const n of s.networks) {
    if (!n.internal) nat.push(`-A ${c.post} -s ${n.subnet} ! -o ${n.bridge} -j MASQUERADE`);
    nat.push(`-A ${c.post} -s 127.0.0.0/8 -o ${n.bridge} -j MASQUERADE`);
  }
  for (const p of s.ports) {
    const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? ` -d ${p.hostIp}/32` : '';
    nat.push(
      `-A ${c.ports}${dst} ! -i ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.ip}:${p.port}`,
    );
  }
  nat.push('COMMIT');
  return `${filter.join('\n')}\n${nat.join('\n')}\n`;
}

/** Script that removes the instance's jumps and chains. */
export function removalScript(instance: string, jumps: Map<string, string[]>): string {
  const c = chainNames(instance);
  const filter = [
    '*filter',
    `:${c.fwd} - [0:0]`,
    ...(jumps.get('filter') ?? []).map((j) => `-D ${j}`),
    `-X ${c.fwd}`,
    'COMMIT',
  ];
  const nat = [
    '*nat',
    `:${c.ports} - [0:0]`,
    `:${c.post} - [0:0]`,
    ...(jumps.get('nat') ?? []).map((j) => `-D ${j}`),
    `-X ${c.ports}`,
    `-X ${c.post}`,
    'COMMIT',
  ];
  return `${filter.join('\n')}\n${nat.join('\n')}\n`;
}

export async function iptablesSave(): Promise<string> {
  return run(SAVE, []);
}

/** Removes every rule and chain of an instance (network gone, janitor, tests). */
export async function removeInstanceRules(instance: string): Promise<void> {
  const save = await iptablesSave();
  if (!save.includes(`${instance}-`)) return;
  await run(RESTORE, ['--noflush'], removalScript(instance, instanceJumps(save, instance)));
}

/** Writes the chains; changes are serialized and coalesced (the last state wins). */
export class Firewall {
  private instance: string;
  private installed = false;
  private queue: Promise<void> = Promise.resolve();
  private wanted: FirewallState | undefined;
  /** False until the first apply: a killed daemon may have left rules. */
  private empty = false;

  constructor(instance: string) {
    this.instance = instance;
  }

  /** Applies a state; resolves once rules at least as new as it are in place. */
  apply(s: FirewallState): Promise<void> {
    this.wanted = s;
    this.queue = this.queue.then(() => this.flush());
    return this.queue;
  }

  private async flush(): Promise<void> {
    const s = this.wanted;
    if (!s) return;
    this.wanted = undefined;
    if (s.networks.length === 0 && s.ports.length === 0) {
      if (!this.empty) await removeInstanceRules(this.instance);
      this.installed = false;
      this.empty = true;
      return;
    }
    let drop = new Map<string, string[]>();
    const install = !this.installed;
    if (install) drop = instanceJumps(await iptablesSave(), this.instance);
    await run(RESTORE, ['--noflush'], restoreScript(this.instance, s, drop, install));
    this.installed = true;
    this.empty = false;
  }
}

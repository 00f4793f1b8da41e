/** /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, as Docker writes them. */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../lib/atomic.ts';
import type { ContainerPaths } from './paths.ts';

export interface EtcInput {
  hostname: string;
  domainname?: string;
  /** The container's addresses on its networks (none: loopback only). */
  addresses: string[];
  extraHosts: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** Resolver for user-defined networks (the embedded DNS); replaces the host's servers. */
  embeddedDns?: string;
}

export function hostsFile(i: EtcInput): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of i.extraHosts) {
    const at = h.lastIndexOf(':');
    const name = h.slice(0, at);
    const ip = h.slice(at + 1);
    lines.push(`${ip}\t${name}`);
  }
  const fqdn = i.domainname ? `${i.hostname}.${i.domainname} ${i.hostname}` : i.hostname;
  for (const a of i.addresses) lines.push(`${a}\t${fqdn}`);
  return `${lines.join('\n')}\n`;
}

/** The host's resolv.conf, without loopback servers (unreachable from a container). */
function hostResolv(): { servers: string[]; search: string[]; options: string[] } {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {}
  const out = { servers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const l of text.split('\n')) {
    const [k, ...v] = l.trim().split(/\s+/);
    if (k === 'nameserver' && v[0] && !v[0].startsWith('127.') && v[0] !== '::1') out.servers.push(v[0]);
    else if (k === 'search' || k === 'domain') out.search = v;
    else if (k === 'options') out.options.push(...v);
  }
  return out;
}

export function resolvConf(i: EtcInput): string {
  const host = hostResolv();
  const servers = i.embeddedDns ? [i.embeddedDns] : i.dns?.length ? i.dns : host.servers;
  const search = i.dnsSearch?.length ? i.dnsSearch : host.search;
  const options = i.dnsOptions?.length ? i.dnsOptions : i.embeddedDns ? ['ndots:0'] : host.options;
  const lines: string[] = [];
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (search.length) lines.push(`search ${search.join(' ')}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export async function writeEtcFiles(p: ContainerPaths, i: EtcInput): Promise<void> {
  await Promise.all([
    // Rewritten at every start: atomic, no fsync needed.
    writeFileAtomic(p.hostname, `${i.hostname}\n`, 0o644, { durable: false }),
    writeFileAtomic(p.hosts, hostsFile(i), 0o644, { durable: false }),
    writeFileAtomic(p.resolvConf, resolvConf(i), 0o644, { durable: false }),
  ]);
}

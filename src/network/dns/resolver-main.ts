/**
 * The embedded DNS resolver: a small process per daemon, started detached
 * (its own session), so that it keeps answering while berthd restarts or
 * after it was killed. It listens on port 53 of every user network's
 * gateway address, answers names from the records file the daemon rewrites
 * (container names, aliases, service names on the asker's networks), and
 * forwards other names to the configured upstream servers, if any.
 *
 * It is also the janitor of the daemon's host state: when the state
 * directory disappears (the exec root was removed), it deletes the
 * instance's links and firewall chains and exits.
 *
 * Usage: node resolver-main.js EXEC_ROOT
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostLinks, isInstanceLink } from '../bridge.ts';
import { removeInstanceRules } from '../firewall.ts';
import { Netlink } from '../netlink.ts';
import { answer, parseQuestion, RCODE_NXDOMAIN, RCODE_SERVFAIL } from './packet.ts';
import { type DnsRecords, lookup, networkStateDir, recordsPath } from './records.ts';

const execRoot = process.argv[2];
if (!execRoot) {
  process.stderr.write('usage: resolver-main EXEC_ROOT\n');
  process.exit(2);
}
const dir = networkStateDir(execRoot);
const file = recordsPath(execRoot);
let records: DnsRecords = { instance: '', upstreams: [], networks: {}, members: {} };
let loadedAt = 0;
const listeners = new Map<string, Socket>();

function load(): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  if (st.mtimeMs === loadedAt) {
    syncListeners();
    return;
  }
  try {
    records = JSON.parse(readFileSync(file, 'utf8')) as DnsRecords;
    loadedAt = st.mtimeMs;
  } catch {}
  syncListeners();
}

function syncListeners(): void {
  const want = new Set(Object.values(records.networks).map((n) => n.gateway));
  for (const [gw, s] of listeners) {
    if (!want.has(gw)) {
      s.close();
      listeners.delete(gw);
      reportListening();
    }
  }
  for (const gw of want) {
    if (listeners.has(gw)) continue;
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    listeners.set(gw, s);
    s.on('error', () => {
      s.close();
      if (listeners.get(gw) === s) listeners.delete(gw);
    });
    s.on('message', (msg, rinfo) => onQuery(s, gw, msg, rinfo.address, rinfo.port));
    s.bind(53, gw, () => reportListening());
  }
}

/** Tells the daemon which gateways are served (it waits for a new network's). */
function reportListening(): void {
  try {
    writeFileSync(join(dir, 'listening'), [...listeners.keys()].join('\n'));
  } catch {}
}

function onQuery(s: Socket, gw: string, msg: Buffer, addr: string, port: number): void {
  const q = parseQuestion(msg);
  if (!q) return;
  const name = q.name.replace(/\.$/, '');
  const ips = lookup(records, gw, addr, name);
  if (ips) return void s.send(answer(msg, q, ips), port, addr);
  if (!records.upstreams.length || !name.includes('.'))
    return void s.send(answer(msg, q, [], records.upstreams.length ? RCODE_NXDOMAIN : RCODE_SERVFAIL), port, addr);
  forward(msg, records.upstreams, (reply) => {
    if (reply) s.send(reply, port, addr);
    else s.send(answer(msg, q, [], RCODE_SERVFAIL), port, addr);
  });
}

function forward(msg: Buffer, upstreams: string[], done: (reply: Buffer | undefined) => void): void {
  const u = createSocket('udp4');
  let finished = false;
  const finish = (r: Buffer | undefined) => {
    if (finished) return;
    finished = true;
    clearTimeout(t);
    u.close();
    done(r);
  };
  const t = setTimeout(() => finish(undefined), 3000);
  u.on('message', (r) => finish(r));
  u.on('error', () => finish(undefined));
  for (const up of upstreams) u.send(msg, 53, up);
}

async function janitor(): Promise<void> {
  const instance = records.instance;
  if (instance) {
    const nl = Netlink.open();
    for (const l of hostLinks()) if (isInstanceLink(instance, l)) nl.deleteLink(l);
    nl.close();
    await removeInstanceRules(instance).catch(() => {});
  }
  process.exit(0);
}

writeFileSync(join(dir, 'resolver.pid'), String(process.pid));
load();
try {
  watch(dir, () => load());
} catch {}
setInterval(() => {
  if (!existsSync(dir)) void janitor();
  else load();
}, 1000);
process.on('SIGTERM', () => process.exit(0));

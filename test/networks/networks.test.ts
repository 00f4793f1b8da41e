/**
 * Networks through the real docker CLI against berthd (issue 4): names on
 * a user network, published ports (from the host and from a namespace that
 * plays another host), none/container modes, the resolver surviving
 * `kill -9` of berthd, and no firewall rule or link left behind.
 * Traffic goes only to loopback and to the bridges and namespaces made here;
 * the embedded DNS forwards to nothing (BERTH_DNS_UPSTREAMS=none).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { instanceName } from '../../src/daemon/config.ts';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';

process.env.BERTH_DNS_UPSTREAMS = 'none';

/** Subnets of this run (another run of this file may be going on: no fixed addresses). */
const NET = `10.${200 + (process.pid % 50)}.${Math.floor(Math.random() * 250)}`;
const PEER = `10.${250 + (process.pid % 5)}.${Math.floor(Math.random() * 250)}`;

let d: TestDaemon;
let inst: string;

function dk(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

function sh(cmd: string): { code: number; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function natRules(): string {
  return sh(`iptables-nft -t nat -S 2>/dev/null | grep -- '${inst}-' || true`).out;
}

function instanceLinks(): string[] {
  return readdirSync('/sys/class/net').filter((l) => l.startsWith(inst));
}

const HTTPD = (port: number, text: string) => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p ${port} -h /www`,
];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function curl(url: string, ns?: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const r = sh(`${ns ? `ip netns exec ${ns} ` : ''}curl -s -m 2 ${url}`);
    if (r.code === 0 && r.out) return r.out.trim();
    await new Promise((res) => setTimeout(res, 100));
  }
  return '';
}

before(async () => {
  d = await startDaemon();
  inst = instanceName(d.dataRoot);
  await loadBusybox(d);
});

after(async () => {
  d.docker(['rm', '-f', 'web', 'client', 'pub', 'pub2', 'host1', 'shared', 'dnsweb'], {});
  d.docker(['network', 'rm', 'appnet', 'dnsnet'], {});
  await d.cleanup();
});

describe('networks', () => {
  test('names and aliases resolve on a user network; traffic flows between containers', () => {
    dk(['network', 'create', 'appnet']);
    dk([
      'run',
      '-d',
      '--name',
      'web',
      '--network',
      'appnet',
      '--network-alias',
      'webalias',
      'busybox',
      ...HTTPD(8080, 'hello'),
    ]);
    const out = dk([
      'run',
      '--rm',
      '--name',
      'client',
      '--network',
      'appnet',
      'busybox',
      'sh',
      '-c',
      'nslookup web && nslookup webalias && IP=$(nslookup web | awk "/^Address/ {a=\\$NF} END {print a}") && sleep 0.3 && wget -qO- http://$IP:8080/ && cat /etc/resolv.conf /etc/hosts /etc/hostname',
    ]);
    const webIp = dk(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'web']);
    assert.match(webIp, /^\d+\.\d+\.\d+\.\d+$/);
    assert.match(out, new RegExp(`Name:\\s+web\\s+Address: ${webIp.replace(/\./g, '\\.')}`));
    assert.match(out, /Name:\s+webalias/);
    assert.match(out, /hello/);
    const gw = dk(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'appnet']);
    assert.match(out, new RegExp(`nameserver ${gw}`));
    const bad = d.docker(['run', '--rm', '--network', 'appnet', 'busybox', 'nslookup', 'nosuchname'], {});
    assert.notEqual(bad.code, 0, 'an unknown name does not resolve (and nothing is forwarded)');
    const insp = JSON.parse(dk(['network', 'inspect', 'appnet']))[0];
    assert.ok(Object.values(insp.Containers).some((c) => (c as { Name: string }).Name === 'web'));
    const rm = d.docker(['network', 'rm', 'appnet'], {});
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /active endpoints/);
  });

  test('published port on 127.0.0.1 answers; after rm -f the port is free and no rule is left', async () => {
    dk(['run', '-d', '--name', 'pub', '-p', '127.0.0.1:18080:80', 'busybox', ...HTTPD(80, 'published')]);
    assert.equal(await curl('http://127.0.0.1:18080/'), 'published');
    const ip = dk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'pub']);
    assert.match(natRules(), new RegExp(`${ip}:80`));
    assert.equal(await portFree(18080), false, 'the daemon holds the port while the container runs');
    dk(['rm', '-f', 'pub']);
    let free = await portFree(18080);
    for (let i = 0; i < 50 && !free; i++) {
      await new Promise((r) => setTimeout(r, 100));
      free = await portFree(18080);
    }
    assert.ok(free, 'port 18080 is free after rm -f');
    for (let i = 0; i < 50 && natRules().includes(ip); i++) await new Promise((r) => setTimeout(r, 100));
    assert.doesNotMatch(natRules(), new RegExp(`${ip.replace(/\./g, '\\.')}:80`));
  });

  test('random host port shown by docker port; reachable from another host through the host address', async () => {
    dk(['run', '-d', '--name', 'pub2', '-p', '127.0.0.1::80', '-p', '28481:80', 'busybox', ...HTTPD(80, 'random')]);
    const port = dk(['port', 'pub2', '80']);
    const m = /127\.0\.0\.1:(\d+)/.exec(port);
    assert.ok(m, port);
    assert.equal(await curl(`http://127.0.0.1:${m[1]}/`), 'random');
    const ns = `bt${process.pid}`;
    const hv = `bth${process.pid % 100000}`;
    try {
      assert.equal(
        sh(
          `ip netns add ${ns} && ip link add ${hv} type veth peer name eth0 netns ${ns} && ip addr add ${PEER}.1/30 dev ${hv} && ip link set ${hv} up && ip -n ${ns} addr add ${PEER}.2/30 dev eth0 && ip -n ${ns} link set eth0 up && ip -n ${ns} link set lo up`,
        ).code,
        0,
      );
      assert.equal(await curl(`http://${PEER}.1:28481/`, ns), 'random');
    } finally {
      sh(`ip link del ${hv}; ip netns del ${ns}`);
    }
  });

  test('--network none has only lo; container:X shares X interfaces', () => {
    const links = dk([
      'run',
      '--rm',
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      "ip -o link | awk -F': ' '{print $2}'",
    ]);
    assert.deepEqual(links.split('\n'), ['lo']);
    dk(['run', '-d', '--name', 'host1', 'busybox', 'sleep', '600']);
    const ip = dk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'host1']);
    const addrs = dk(['run', '--rm', '--network', 'container:host1', 'busybox', 'ip', '-o', 'addr']);
    assert.match(addrs, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
    // The namespace is host1's: it cannot publish ports of its own.
    const p = d.docker(['run', '--rm', '--network', 'container:host1', '-p', '8080:80', 'busybox', 'true']);
    assert.notEqual(p.code, 0);
    assert.match(p.stderr, /conflicting options: port publishing and the container type network mode/);
  });

  test('the embedded DNS keeps answering after kill -9 of berthd; restart recovers', async () => {
    dk(['network', 'create', '--subnet', `${NET}.0/24`, '--label', 'k=v', 'dnsnet']);
    dk(['run', '-d', '--name', 'dnsweb', '--network', 'dnsnet', '--ip', `${NET}.77`, 'busybox', 'sleep', '600']);
    dk(['run', '-d', '--name', 'shared', '--network', 'dnsnet', 'busybox', 'sleep', '600']);
    assert.equal(dk(['network', 'ls', '-q', '--filter', 'label=k=v']).length, 12);
    const pid = pidOf('shared');
    await d.stop('SIGKILL');
    const r = spawnSync('nsenter', ['-t', pid, '-n', '/bin/busybox', 'nslookup', 'dnsweb', `${NET}.1`], {
      encoding: 'utf8',
    });
    assert.match(`${r.stdout}`, new RegExp(`Address:\\s*${NET.replace(/\./g, '\\.')}\\.77`), `${r.stdout}${r.stderr}`);
    await d.restart();
    const out = dk(['exec', 'shared', 'nslookup', 'dnsweb']);
    assert.match(out, new RegExp(`${NET}.77`));
    dk(['rm', '-f', 'dnsweb', 'shared', 'host1', 'web', 'pub2']);
    dk(['network', 'rm', 'dnsnet', 'appnet']);
    for (let i = 0; i < 50 && instanceLinks().some((l) => !l.endsWith('0')); i++)
      await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(
      instanceLinks().filter((l) => !l.endsWith('0')),
      [],
      'no veth or user bridge left',
    );
    assert.doesNotMatch(natRules(), /DNAT/);
  });
});

function pidOf(name: string): string {
  return dk(['inspect', '-f', '{{.State.Pid}}', name]);
}

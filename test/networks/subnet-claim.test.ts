/**
 * Two daemons started together on one host never share a subnet: each
 * claims its default bridge's subnet at start (the bridge is up before the
 * first container), and user networks created at the same moment in both
 * get distinct subnets.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.ts';

process.env.BERTH_DNS_UPSTREAMS = 'none';

let daemons: TestDaemon[] = [];
let dir: string;

function subnetOf(d: TestDaemon, net: string): string {
  const r = d.docker(['network', 'inspect', net, '--format', '{{(index .IPAM.Config 0).Subnet}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function bridgeOf(d: TestDaemon, net: string): string {
  const r = d.docker(['network', 'inspect', net, '--format', '{{index .Options "com.docker.network.bridge.name"}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

describe('subnets claimed on the host', () => {
  before(async () => {
    dir = mkdtempSync('/tmp/berth-claim-');
    const config = join(dir, 'daemon.json');
    // Both prefer the same subnet: only one may have it.
    const shared = `10.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}.0/24`;
    writeFileSync(config, JSON.stringify({ 'default-bridge-subnet': shared, dns: ['127.0.0.1'] }));
    daemons = await Promise.all([startDaemon({ configFile: config }), startDaemon({ configFile: config })]);
  });

  after(async () => {
    await Promise.all(daemons.map((d) => d.cleanup()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('default bridges: distinct subnets, both up before any container', () => {
    const [a, b] = daemons.map((d) => subnetOf(d, 'bridge'));
    assert.notEqual(a, b, 'two daemons took the same default-bridge subnet');
    for (const d of daemons) {
      const br = bridgeOf(d, 'bridge');
      assert.ok(existsSync(`/sys/class/net/${br}`), `bridge ${br} is not on the host`);
    }
  });

  test('user networks created at the same moment in both daemons get distinct subnets', async () => {
    const made = await Promise.all(daemons.map((d, i) => d.dockerAsync(['network', 'create', `claim${i}`])));
    for (const r of made) assert.equal(r.code, 0, r.stderr);
    const [a, b] = daemons.map((d, i) => subnetOf(d, `claim${i}`));
    assert.notEqual(a, b, `both user networks got ${a}`);
    const defaults = daemons.map((d) => subnetOf(d, 'bridge'));
    for (const s of [a, b]) assert.ok(!defaults.includes(s), `user network ${s} overlaps a default bridge`);
  });
});

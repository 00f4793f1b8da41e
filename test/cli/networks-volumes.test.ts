/**
 * berth network / volume / system prune / system df against a real berthd:
 * create, ls, inspect, rm; names on a user network (nslookup through the
 * embedded DNS, which forwards to nothing here); connect/disconnect; a
 * network in use refused; volume data outliving its container; each prune.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';

process.env.BERTH_DNS_UPSTREAMS = 'none';

/** A subnet of this run (other runs and test files may be going on: no fixed addresses). */
const NET = `10.${150 + (process.pid % 50)}.${Math.floor(Math.random() * 250)}`;

let d: TestDaemon;

function ok(args: string[], input?: string): string {
  const r = d.berth(args, { input: input ?? '', timeoutMs: 60_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  await d?.cleanup();
});

describe('berth network', () => {
  test('create, ls (-q, -f, --format, --no-trunc), inspect (-f), rm', () => {
    const id = ok([
      'network',
      'create',
      '--subnet',
      `${NET}.0/24`,
      '--gateway',
      `${NET}.254`,
      '--ip-range',
      `${NET}.128/25`,
      '--label',
      'tier=front',
      '--internal',
      '--attachable',
      'front',
    ]).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const table = lines(ok(['network', 'ls']));
    assert.match(table[0] as string, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    assert.ok(
      table.some((l) => new RegExp(`^${id.slice(0, 12)}\\s+front\\s+bridge\\s+local$`).test(l)),
      table.join('\n'),
    );
    const names = table.slice(1).map((l) => l.split(/\s+/)[1]);
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
    for (const builtin of ['bridge', 'host', 'none']) assert.ok(names.includes(builtin));
    assert.deepEqual(lines(ok(['network', 'ls', '-q', '-f', 'label=tier=front'])), [id.slice(0, 12)]);
    assert.deepEqual(lines(ok(['network', 'ls', '-q', '--no-trunc', '-f', 'name=front'])), [id]);
    assert.equal(
      ok(['network', 'ls', '-f', 'name=front', '--format', '{{.Name}} {{.Driver}} {{.Internal}} {{.Label "tier"}}']),
      'front bridge true front\n',
    );
    const json = JSON.parse(lines(ok(['network', 'ls', '-f', 'name=front', '--format', 'json']))[0] as string);
    assert.equal(json.Labels, 'tier=front');
    assert.match(json.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
    const cfg = JSON.parse(ok(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'front']));
    assert.deepEqual(cfg, [{ Subnet: `${NET}.0/24`, Gateway: `${NET}.254`, IPRange: `${NET}.128/25` }]);
    const full = JSON.parse(ok(['network', 'inspect', 'front', 'bridge']));
    assert.equal(full.length, 2);
    assert.equal(full[0].Internal, true);
    assert.deepEqual(full[0].Labels, { tier: 'front' });

    const bad = d.berth(['network', 'create', '--gateway', '10.1.1.1', 'nosubnet']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /every ip-range or gateway must have a corresponding subnet/);
    const dup = d.berth(['network', 'create', 'front']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /Error response from daemon: network with name front already exists/);

    assert.equal(ok(['network', 'rm', 'front']), 'front\n');
    const gone = d.berth(['network', 'inspect', 'front']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout, '[]\n');
    assert.match(gone.stderr, /Error response from daemon: network front not found/);
    const missing = d.berth(['network', 'rm', 'front']);
    assert.equal(missing.code, 1);
    assert.equal(ok(['network', 'rm', '-f', 'front']), '', '-f: a missing network is no error');
    const builtin = d.berth(['network', 'rm', 'bridge']);
    assert.equal(builtin.code, 1);
    assert.match(builtin.stderr, /pre-defined network/);
  });

  test('containers on a user network reach each other by name; connect/disconnect; rm in use refused', () => {
    ok(['network', 'create', 'appnet']);
    ok(['network', 'create', '--subnet', `${NET}.0/24`, 'sidenet']);
    ok(['run', '-d', '--name', 'web', '--network', 'appnet', 'busybox', 'sleep', '300']);
    const webIp = ok(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'web']).trim();
    assert.match(webIp, /^\d+\.\d+\.\d+\.\d+$/);
    const out = ok(['run', '--rm', '--network', 'appnet', 'busybox', 'nslookup', 'web']);
    assert.match(out, new RegExp(`Name:\\s+web\\s+Address:\\s+${webIp.replace(/\./g, '\\.')}`));

    const inUse = d.berth(['network', 'rm', 'appnet']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /Error response from daemon: .*active endpoints/);
    assert.match(ok(['network', 'ls', '-q', '-f', 'name=appnet']), /^[0-9a-f]{12}\n$/);
    const members = JSON.parse(ok(['network', 'inspect', '-f', '{{json .Containers}}', 'appnet']));
    assert.deepEqual(
      Object.values(members).map((m) => (m as { Name: string }).Name),
      ['web'],
    );

    // connect with an alias and a fixed address: a peer on sidenet finds it by both names.
    assert.equal(ok(['network', 'connect', '--alias', 'www', '--ip', `${NET}.77`, 'sidenet', 'web']), '');
    assert.match(ok(['exec', 'web', 'ip', '-4', 'addr']), new RegExp(`inet ${NET.replace(/\./g, '\\.')}\\.77/24`));
    const peer = ok(['run', '--rm', '--network', 'sidenet', 'busybox', 'sh', '-c', 'nslookup web && nslookup www']);
    assert.equal(peer.match(new RegExp(`Address:\\s+${NET.replace(/\./g, '\\.')}\\.77`, 'g'))?.length, 2, peer);
    const again = d.berth(['network', 'connect', 'sidenet', 'web']);
    assert.equal(again.code, 1, 'connecting twice is refused');

    assert.equal(ok(['network', 'disconnect', 'sidenet', 'web']), '');
    assert.doesNotMatch(ok(['exec', 'web', 'ip', '-4', 'addr']), new RegExp(`${NET.replace(/\./g, '\\.')}\\.`));
    assert.deepEqual(Object.keys(JSON.parse(ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'web']))), [
      'appnet',
    ]);
    const notThere = d.berth(['network', 'disconnect', 'sidenet', 'web']);
    assert.equal(notThere.code, 1);
    assert.match(notThere.stderr, /not connected/);

    ok(['rm', '-f', 'web']);
    assert.equal(ok(['network', 'rm', 'appnet', 'sidenet']), 'appnet\nsidenet\n');
  });

  test('prune: asks first, removes unused custom networks only', () => {
    ok(['network', 'create', 'unused1']);
    ok(['network', 'create', '--label', 'keep=yes', 'unused2']);
    ok(['network', 'create', 'busy']);
    ok(['run', '-d', '--name', 'busy-c', '--network', 'busy', 'busybox', 'sleep', '300']);
    const declined = ok(['network', 'prune'], 'n\n');
    assert.match(declined, /^WARNING! This will remove all custom networks not used by at least one container\.\n/);
    assert.match(declined, /Are you sure you want to continue\? \[y\/N\] $/);
    assert.equal(lines(ok(['network', 'ls', '-q', '-f', 'name=unused'])).length, 2, 'declined: nothing removed');
    assert.equal(ok(['network', 'prune', '-f', '--filter', 'label=keep=yes']), 'Deleted Networks:\nunused2\n\n');
    const confirmed = ok(['network', 'prune'], 'y\n');
    assert.match(confirmed, /Deleted Networks:\nunused1\n\n$/);
    const left = lines(ok(['network', 'ls', '--format', '{{.Name}}']));
    assert.deepEqual(left, ['bridge', 'busy', 'host', 'none']);
    ok(['rm', '-f', 'busy-c']);
    ok(['network', 'rm', 'busy']);
  });
});

describe('berth volume', () => {
  test('create, ls (-q, -f, --format), inspect (-f), rm (-f)', () => {
    assert.equal(ok(['volume', 'create', '--label', 'app=db', 'data1']), 'data1\n');
    assert.equal(ok(['volume', 'create', '-d', 'local', '--name', 'data2']), 'data2\n');
    const anon = ok(['volume', 'create']).trim();
    assert.match(anon, /^[0-9a-f]{64}$/);
    const table = lines(ok(['volume', 'ls']));
    assert.match(table[0] as string, /^DRIVER\s+VOLUME NAME$/);
    assert.deepEqual(
      table.slice(1).map((l) => l.split(/\s+/)),
      // docker's order: by name, digits as numbers (the random name may sort either side of data1)
      [anon, 'data1', 'data2'].sort((x, y) => x.localeCompare(y, 'en', { numeric: true })).map((n) => ['local', n]),
    );
    assert.deepEqual(lines(ok(['volume', 'ls', '-q', '-f', 'label=app=db'])), ['data1']);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q', '-f', 'name=data'])), ['data1', 'data2']);
    assert.equal(
      ok(['volume', 'ls', '-f', 'name=data1', '--format', '{{.Name}} {{.Driver}} {{.Labels}} {{.Label "app"}}']),
      'data1 local app=db db\n',
    );
    const row = JSON.parse(ok(['volume', 'ls', '-f', 'name=data1', '--format', 'json']));
    assert.equal(row.Scope, 'local');
    assert.match(row.Mountpoint, /\/volumes\/data1\/_data$/);
    const insp = JSON.parse(ok(['volume', 'inspect', 'data1', 'data2']));
    assert.deepEqual(
      insp.map((v: { Name: string }) => v.Name),
      ['data1', 'data2'],
    );
    assert.deepEqual(insp[0].Labels, { app: 'db' });
    assert.equal(ok(['volume', 'inspect', '-f', '{{.Driver}} {{.Name}}', 'data2']), 'local data2\n');
    const none = d.berth(['volume', 'inspect', 'nosuch']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /Error response from daemon: .*no such volume/);

    assert.equal(ok(['volume', 'rm', 'data2', anon]), `data2\n${anon}\n`);
    const missing = d.berth(['volume', 'rm', 'data2']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such volume/);
    assert.equal(ok(['volume', 'rm', '-f', 'data2']), 'data2\n');
    assert.deepEqual(lines(ok(['volume', 'ls', '-q'])), ['data1']);
  });

  test('data outlives the container; a volume in use is not removed', () => {
    ok(['run', '--name', 'writer', '-v', 'data1:/data', 'busybox', 'sh', '-c', 'echo kept > /data/file']);
    ok(['rm', 'writer']);
    assert.equal(ok(['run', '--rm', '-v', 'data1:/data', 'busybox', 'cat', '/data/file']), 'kept\n');
    ok(['run', '-d', '--name', 'holder', '-v', 'data1:/data', 'busybox', 'sleep', '300']);
    const inUse = d.berth(['volume', 'rm', 'data1']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /volume is in use/);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q', '-f', 'dangling=false'])), ['data1']);
    ok(['rm', '-f', 'holder']);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q', '-f', 'dangling=true'])), ['data1']);
  });

  test('prune: anonymous unused volumes, all unused ones with -a', () => {
    ok(['create', '--name', 'anon-user', '-v', '/scratch', 'busybox', 'true']);
    const anon = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'anon-user']))[0].Name;
    assert.match(anon, /^[0-9a-f]{64}$/);
    ok(['rm', 'anon-user']);
    ok(['volume', 'create', 'named1']);
    const declined = ok(['volume', 'prune'], 'n\n');
    assert.match(declined, /^WARNING! This will remove anonymous local volumes not used by at least one container\./);
    assert.ok(lines(ok(['volume', 'ls', '-q'])).includes(anon));
    assert.equal(ok(['volume', 'prune', '-f']), `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q'])), ['data1', 'named1']);
    const all = ok(['volume', 'prune', '-a'], 'y\n');
    assert.match(all, /^WARNING! This will remove all local volumes not used by at least one container\./);
    assert.match(all, /Deleted Volumes:\ndata1\nnamed1\n\nTotal reclaimed space: \S+\n$/);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q'])), []);
  });
});

describe('berth system', () => {
  test('system prune: stopped containers, unused networks, dangling images, anonymous volumes', () => {
    // A dangling image: a one-file rootfs imported without a name.
    const dir = mkdtempSync('/tmp/berth-nv-');
    try {
      mkdirSync(join(dir, 'root'));
      writeFileSync(join(dir, 'root', 'hello'), 'hi\n');
      const tar = spawnSync('tar', ['-C', join(dir, 'root'), '-c', '.']).stdout;
      const imported = d.berth(['import', '-'], { input: tar });
      assert.equal(imported.code, 0, imported.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const dangling = lines(ok(['images', '-q', '--no-trunc', '-f', 'dangling=true']));
    assert.equal(dangling.length, 1);
    const stopped = ok(['create', '--name', 'stopped1', '-v', '/anon', 'busybox', 'true']).trim();
    ok(['network', 'create', 'spare']);
    ok(['run', '-d', '--name', 'alive', 'busybox', 'sleep', '300']);

    const declined = ok(['system', 'prune', '--volumes'], 'n\n');
    assert.equal(
      declined,
      'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n' +
        '  - all anonymous volumes not used by at least one container\n  - all dangling images\n  - unused build cache\n\n' +
        'Are you sure you want to continue? [y/N] ',
    );
    assert.match(ok(['ps', '-a', '-q', '--no-trunc']), new RegExp(stopped));

    const out = ok(['system', 'prune', '-f', '--volumes']);
    assert.match(out, new RegExp(`^Deleted Containers:\\n${stopped}\\n\\n`));
    assert.match(out, /Deleted Networks:\nspare\n\n/);
    assert.match(out, /Deleted Volumes:\n[0-9a-f]{64}\n\n/);
    assert.match(out, new RegExp(`Deleted Images:\\n(untagged: .*\\n)*deleted: ${dangling[0]}\\n`));
    assert.match(out, /Total reclaimed space: \d+(\.\d+)?[kMG]?B\n$/);
    assert.deepEqual(lines(ok(['ps', '-a', '--format', '{{.Names}}'])), ['alive']);
    assert.deepEqual(lines(ok(['images', '-q', '-f', 'dangling=true'])), []);
    assert.deepEqual(lines(ok(['volume', 'ls', '-q'])), []);
    assert.deepEqual(lines(ok(['network', 'ls', '--format', '{{.Name}}'])), ['bridge', 'host', 'none']);

    // -a keeps images a container uses.
    assert.match(ok(['system', 'prune', '-a', '-f']), /^Total reclaimed space: /m);
    assert.equal(lines(ok(['images', '-q', 'busybox'])).length, 1);
    const until = d.berth(['system', 'prune', '-f', '--volumes', '--filter', 'until=1h']);
    assert.equal(until.code, 1);
    assert.match(until.stderr, /"until" filter is not supported with "--volumes"/);
  });

  test('system df: the four rows', () => {
    const table = lines(ok(['system', 'df']));
    assert.match(table[0] as string, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    assert.deepEqual(
      table.slice(1).map((l) => l.split(/\s{2,}/)[0]),
      ['Images', 'Containers', 'Local Volumes', 'Build Cache'],
    );
    assert.match(table[1] as string, /^Images\s+1\s+1\s+\d/);
    const rows = lines(ok(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}/{{.Active}}']));
    assert.equal(rows[0], 'Images=1/1');
    const v = ok(['system', 'df', '-v']);
    assert.match(v, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE/);
    assert.match(v, /\nbusybox\s+latest\s+[0-9a-f]{12}\s+.+ ago\s+\S+B\s/);
    assert.match(v, /\nContainers space usage:\n\nCONTAINER ID\s+IMAGE\s+COMMAND\s+LOCAL VOLUMES/);
    assert.match(v, /\nLocal Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\n/);
    assert.match(v, /\nBuild cache usage: \d+(\.\d+)?[kMG]?B\n\nCACHE ID\s+CACHE TYPE/);
  });

  test('system df: containers and volumes counted (needs the daemon to fill them in /system/df)', () => {
    ok(['volume', 'create', 'dfvol']);
    const rows = lines(ok(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}/{{.Active}}']));
    assert.equal(rows[1], 'Containers=1/1');
    assert.equal(rows[2], 'Local Volumes=1/0');
    ok(['volume', 'rm', 'dfvol']);
  });
});

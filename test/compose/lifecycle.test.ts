/**
 * berth compose against berthd, with host networking (works without the
 * networks API): up -d --wait of a healthcheck-gated app with a named
 * volume, ps/logs/exec/run/config/ls, --scale, convergence (only the
 * changed service is recreated), stop/start, and down -v leaving nothing.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { composeIn, composeOk, inspectAll, projectDir, projectIds } from './helpers.ts';

const app = (workerMsg: string) => `
name: ctest
services:
  db:
    image: busybox
    network_mode: host
    command: sh -c 'sleep 1; touch /tmp/ready; exec sleep 3600'
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 300ms
      retries: 20
  web:
    image: busybox
    network_mode: host
    depends_on:
      db: {condition: service_healthy}
    command: ["sh", "-c", "echo web says $$GREETING; echo stored > /data/file; exec sleep 3600"]
    environment:
      GREETING: \${GREETING:-hello}
    volumes: [data:/data]
    labels: [com.example.role=frontend]
    stop_grace_period: 1s
  worker:
    image: busybox
    network_mode: host
    command: sh -c 'echo worker $$MSG; exec sleep 3600'
    environment: [MSG=${workerMsg}]
    stop_signal: SIGKILL
    depends_on: [db]
volumes:
  data: {}
`;

describe('berth compose lifecycle (host network)', () => {
  let d: TestDaemon;
  let dir: string;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    dir = projectDir({ 'compose.yaml': app('one'), '.env': 'GREETING=from-dotenv\n' });
  });
  after(async () => {
    await composeIn(d, dir, ['down', '-v', '-t', '0']);
    await d.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, string, RegExp]> = [
    [
      'schema error',
      'services:\n  a:\n    image: busybox\n    ports: {x: 1}\n',
      /compose\.yaml:4:5: services\.a\.ports: must be a list/,
    ],
    [
      'unknown service in depends_on',
      'services:\n  a:\n    image: busybox\n    depends_on: [nope]\n',
      /services\.a\.depends_on\.nope: depends on undefined service "nope"/,
    ],
    [
      'dependency cycle',
      'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n',
      /dependency cycle: a -> b -> a/,
    ],
  ];
  for (const [what, text, re] of cases)
    test(`refuses before anything starts: ${what}`, async () => {
      const dir = projectDir({ 'compose.yaml': text });
      try {
        const r = await composeIn(d, dir, ['up', '-d']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, re);
        const ps = await d.dockerAsync(['ps', '-aq']);
        assert.equal(ps.stdout.trim(), '', 'nothing was created');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

  test('up -d --wait starts db healthy before web, with labels, names and the volume', async () => {
    await composeOk(d, dir, ['up', '-d', '--wait', '--wait-timeout', '60']);
    const ids = await projectIds(d, 'ctest');
    assert.deepEqual(Object.keys(ids).sort(), ['ctest-db-1', 'ctest-web-1', 'ctest-worker-1']);
    const [db, web] = await inspectAll(d, [ids['ctest-db-1'], ids['ctest-web-1']]);
    assert.equal(db.State.Health.Status, 'healthy');
    const firstHealthy = db.State.Health.Log.find((l: { ExitCode: number }) => l.ExitCode === 0);
    assert.ok(new Date(web.State.StartedAt) >= new Date(firstHealthy.End), 'web started after db was healthy');
    const l = web.Config.Labels;
    assert.equal(l['com.docker.compose.project'], 'ctest');
    assert.equal(l['com.docker.compose.service'], 'web');
    assert.equal(l['com.docker.compose.container-number'], '1');
    assert.equal(l['com.docker.compose.oneoff'], 'False');
    assert.equal(l['com.docker.compose.project.working_dir'], dir);
    assert.equal(l['com.docker.compose.project.config_files'], join(dir, 'compose.yaml'));
    assert.match(l['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.ok(l['com.docker.compose.version']);
    assert.equal(l['com.example.role'], 'frontend');
    assert.ok(web.Config.Env.includes('GREETING=from-dotenv'));
    assert.equal(web.Mounts[0].Name, 'ctest_data');
    const vols = await d.dockerAsync(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=ctest']);
    assert.equal(vols.stdout.trim(), 'ctest_data');
    const vl = await d.dockerAsync([
      'volume',
      'inspect',
      '-f',
      '{{index .Labels "com.docker.compose.volume"}}',
      'ctest_data',
    ]);
    assert.equal(vl.stdout.trim(), 'data');
  });

  test('ps, logs, exec, run --rm, config, ls, port-less images', async () => {
    const ps = await composeOk(d, dir, ['ps', '--format', 'json']);
    const rows = JSON.parse(ps) as Array<{ Name: string; Service: string; State: string }>;
    assert.deepEqual(rows.map((r) => `${r.Service}:${r.State}`).sort(), [
      'db:running',
      'web:running',
      'worker:running',
    ]);
    const logs = await composeOk(d, dir, ['logs', '--no-color', 'web', 'worker']);
    assert.match(logs, /^web-1\s+\| web says from-dotenv$/m);
    assert.match(logs, /^worker-1\s+\| worker one$/m);
    const ex = await composeOk(d, dir, ['exec', '-T', 'web', 'cat', '/data/file']);
    assert.equal(ex, 'stored\n');
    const bad = await composeIn(d, dir, ['exec', '-T', 'web', 'sh', '-c', 'exit 3']);
    assert.equal(bad.code, 3);
    const run = await composeOk(d, dir, [
      'run',
      '--rm',
      '-T',
      '--no-deps',
      '-e',
      'X=42',
      'web',
      'sh',
      '-c',
      'echo run $X; cat /data/file',
    ]);
    assert.equal(run, 'run 42\nstored\n');
    const oneoffs = await d.dockerAsync(['ps', '-aq', '--filter', 'label=com.docker.compose.oneoff=True']);
    assert.equal(oneoffs.stdout.trim(), '', 'run --rm removed its container');
    const cfg = await composeOk(d, dir, ['config']);
    assert.match(cfg, /^name: ctest$/m);
    assert.match(cfg, /GREETING: from-dotenv/);
    assert.match(cfg, /condition: service_healthy/);
    assert.equal(await composeOk(d, dir, ['config', '--services']), 'db\nweb\nworker\n');
    const ls = JSON.parse(await composeOk(d, dir, ['ls', '--format', 'json']));
    assert.deepEqual(
      ls.map((p: { Name: string }) => p.Name),
      ['ctest'],
    );
    assert.match(ls[0].Status, /running\(3\)/);
    const imgs = await composeOk(d, dir, ['images', '-q']);
    assert.equal(imgs.trim().split('\n').length, 1);
    const top = await composeOk(d, dir, ['top', 'worker']);
    assert.match(top, /sleep 3600/);
  });

  test('--scale worker=3 adds two workers and touches nothing else', async () => {
    const before = await projectIds(d, 'ctest');
    await composeOk(d, dir, ['up', '-d', '--scale', 'worker=3']);
    const now = await projectIds(d, 'ctest');
    assert.deepEqual(Object.keys(now).sort(), [
      'ctest-db-1',
      'ctest-web-1',
      'ctest-worker-1',
      'ctest-worker-2',
      'ctest-worker-3',
    ]);
    for (const n of ['ctest-db-1', 'ctest-web-1', 'ctest-worker-1']) assert.equal(now[n], before[n], `${n} kept`);
  });

  test('editing the worker environment recreates only the workers', async () => {
    const before = await projectIds(d, 'ctest');
    writeFileSync(join(dir, 'compose.yaml'), app('two'));
    const out = await composeIn(d, dir, ['up', '-d', '--scale', 'worker=3']);
    assert.equal(out.code, 0, out.stderr);
    const now = await projectIds(d, 'ctest');
    assert.equal(now['ctest-db-1'], before['ctest-db-1']);
    assert.equal(now['ctest-web-1'], before['ctest-web-1']);
    for (const n of [1, 2, 3])
      assert.notEqual(now[`ctest-worker-${n}`], before[`ctest-worker-${n}`], `worker-${n} recreated`);
    const [w] = await inspectAll(d, [now['ctest-worker-2']]);
    assert.ok(w.Config.Env.includes('MSG=two'));
    // Without --scale the service goes back to one replica.
    await composeOk(d, dir, ['up', '-d']);
    const one = await projectIds(d, 'ctest');
    assert.deepEqual(
      Object.keys(one).filter((n) => n.includes('worker')),
      ['ctest-worker-1'],
    );
  });

  test('restart keeps IDs', async () => {
    const ids = await projectIds(d, 'ctest');
    await composeOk(d, dir, ['restart', '-t', '1', 'worker']);
    assert.deepEqual(await projectIds(d, 'ctest'), ids);
  });

  test('stop stops dependents first; start brings them back', async () => {
    const ids = await projectIds(d, 'ctest');
    await composeOk(d, dir, ['stop', '-t', '1']);
    const stopped = await inspectAll(d, Object.values(ids));
    assert.ok(stopped.every((c) => !c.State.Running));
    const byName = Object.fromEntries(stopped.map((c) => [c.Name.slice(1), new Date(c.State.FinishedAt).getTime()]));
    assert.ok(byName['ctest-web-1'] <= byName['ctest-db-1'], 'web stopped before db');
    await composeOk(d, dir, ['start']);
    const started = await inspectAll(d, Object.values(ids));
    assert.ok(started.every((c) => c.State.Running));
  });

  test('down -v removes every container and volume of the project', async () => {
    await composeOk(d, dir, ['down', '-v', '-t', '1']);
    assert.deepEqual(await projectIds(d, 'ctest'), {});
    const vols = await d.dockerAsync(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=ctest']);
    assert.equal(vols.stdout.trim(), '');
    const all = await d.dockerAsync(['ps', '-aq']);
    assert.equal(all.stdout.trim(), '');
  });
});

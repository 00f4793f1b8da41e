/**
 * Debian's docker-compose 1.29 (a real Compose client, Python, API 1.x)
 * against berthd: it runs the healthcheck-gated app, and berth compose sees
 * the same project through the shared com.docker.compose.* labels (and the
 * other way round).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, runAsync, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { composeOk, inspectAll, projectDir, projectIds } from './helpers.ts';

const DC = '/usr/bin/docker-compose';

const app = `
version: "2.4"
services:
  db:
    image: busybox
    network_mode: host
    command: sh -c 'sleep 1; touch /tmp/ready; exec sleep 3600'
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
  web:
    image: busybox
    network_mode: host
    depends_on:
      db: {condition: service_healthy}
    command: sh -c 'echo stored > /data/file; exec sleep 3600'
    stop_signal: SIGKILL
    volumes: [data:/data]
  worker:
    image: busybox
    network_mode: host
    command: sh -c 'exec sleep 3600'
    stop_signal: SIGKILL
volumes:
  data: {}
`;

describe('docker-compose 1.29 against berthd', {
  skip: !existsSync(DC) && `${DC} is not installed (apt-get install docker-compose)`,
}, () => {
  let d: TestDaemon;
  let dir: string;
  const dc = async (args: string[]) => {
    const r = await runAsync(
      DC,
      ['-p', 'dctest', ...args],
      { DOCKER_HOST: d.host },
      { timeoutMs: 180_000, env: { PWD: dir } },
    );
    return r;
  };
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    dir = projectDir({ 'docker-compose.yml': app });
  });
  after(async () => {
    await d.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('up -d starts the app (db healthy before web), berth compose sees it, down -v removes it', async () => {
    const up = await dc(['-f', `${dir}/docker-compose.yml`, 'up', '-d']);
    assert.equal(up.code, 0, `docker-compose up: ${up.stderr}`);
    const ids = await projectIds(d, 'dctest');
    assert.deepEqual(Object.keys(ids).sort(), ['dctest_db_1', 'dctest_web_1', 'dctest_worker_1']);
    const [db, web] = await inspectAll(d, [ids.dctest_db_1, ids.dctest_web_1]);
    assert.equal(db.State.Health.Status, 'healthy');
    assert.ok(web.State.Running);
    assert.equal(web.Config.Labels['com.docker.compose.service'], 'web');
    // The same project through berth compose: ps sees docker-compose's containers, exec works in them.
    const ps = JSON.parse(await composeOk(d, dir, ['-p', 'dctest', 'ps', '--format', 'json']));
    assert.deepEqual(ps.map((r: { Service: string }) => r.Service).sort(), ['db', 'web', 'worker']);
    assert.equal(await composeOk(d, dir, ['-p', 'dctest', 'exec', '-T', 'web', 'cat', '/data/file']), 'stored\n');
    const dps = await dc(['-f', `${dir}/docker-compose.yml`, 'ps']);
    assert.equal(dps.code, 0, dps.stderr);
    assert.match(dps.stdout, /dctest_web_1/);
    const down = await dc(['-f', `${dir}/docker-compose.yml`, 'down', '-v']);
    assert.equal(down.code, 0, `docker-compose down: ${down.stderr}`);
    assert.deepEqual(await projectIds(d, 'dctest'), {});
    const vols = await d.dockerAsync(['volume', 'ls', '-q']);
    assert.equal(vols.stdout.trim(), '');
  });

  test('docker-compose sees a project berth compose started', async () => {
    await composeOk(d, dir, ['-p', 'dctest', 'up', '-d', '--wait', '--wait-timeout', '60']);
    const ps = await dc(['-f', `${dir}/docker-compose.yml`, 'ps', '--services', '--filter', 'status=running']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.deepEqual(ps.stdout.trim().split('\n').sort(), ['db', 'web', 'worker']);
    const down = await dc(['-f', `${dir}/docker-compose.yml`, 'down', '-v']);
    assert.equal(down.code, 0, `docker-compose down: ${down.stderr}`);
    assert.deepEqual(await projectIds(d, 'dctest'), {});
  });
});

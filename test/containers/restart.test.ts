/**
 * Issue 3: containers survive the daemon. `kill -9` of berthd with 10
 * containers running and one that exits while the daemon is down; after the
 * restart all 10 run, their logs hold the ticks from before, during and
 * after, stop works, and the one that exited shows its code. Restart
 * policies: always (also after a user stop), on-failure:N, unless-stopped,
 * honoured at daemon start.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dk, field, lines, ok, saveLog, sleep, until, untilStatus } from './util.ts';

let d: TestDaemon;
const TICK = 'while true; do echo tick; sleep 0.2; done';
const LOOP = 'while true; do sleep 0.1; done';

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  saveLog(d, 'containers-restart');
  await d?.cleanup();
});

const runD = async (name: string, script: string, flags: string[] = []) =>
  (await ok(d, ['run', '-d', '--name', name, ...flags, 'busybox', 'sh', '-c', script])).trim();

const tickCount = async (name: string): Promise<number> =>
  lines(await ok(d, ['logs', name])).filter((l) => l === 'tick').length;

const pidOf = async (name: string): Promise<number> => Number(await field(d, name, '{{.State.Pid}}'));

/** Kills a container's init from the host (no daemon involved); waits until it is gone. */
async function killFromHost(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(`pid ${pid} to go`, () => !existsSync(`/proc/${pid}`), 10_000);
}

describe('daemon restarts', () => {
  test('kill -9 of berthd: 10 running containers survive with whole logs; an exit meanwhile is recorded', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `tick${i}`);
    await Promise.all(names.map((n) => runD(n, TICK)));
    await runD('exiter', 'while [ ! -f /tmp/go ]; do sleep 0.05; done; exit 3');
    await Promise.all(names.map((n) => until(`${n} ticks`, async () => (await tickCount(n)) >= 2)));
    const exiterPid = await pidOf('exiter');
    const before1 = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await tickCount(n)] as const)));
    const pids = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await pidOf(n)] as const)));

    await d.stop('SIGKILL');
    // While the daemon is down: one container exits with 3; the others keep ticking.
    writeFileSync(`/proc/${exiterPid}/root/tmp/go`, '');
    await until('the exiter to exit', () => !existsSync(`/proc/${exiterPid}`), 10_000);
    await sleep(600);
    for (const n of names) assert.ok(existsSync(`/proc/${pids[n]}`), `${n} died with the daemon`);
    await d.restart();

    const running = lines(await ok(d, ['ps', '--format', '{{.Names}}'])).sort();
    assert.deepEqual(running, [...names].sort());
    for (const n of names) assert.equal(await pidOf(n), pids[n], `${n} is not the same process`);
    assert.match(await ok(d, ['ps', '-a', '--filter', 'name=exiter', '--format', '{{.Status}}']), /^Exited \(3\) /);
    assert.equal(await field(d, 'exiter', '{{.State.ExitCode}} {{.State.Status}}'), '3 exited');

    // Logs: everything before, the ticks written while the daemon was down, and new ones.
    await Promise.all(
      names.map(async (n) => {
        const all = lines(await ok(d, ['logs', n]));
        const now = all.length;
        assert.ok(now >= before1[n] + 2, `${n}: ${before1[n]} ticks before, ${now} after the restart`);
        assert.ok(
          all.every((l) => l === 'tick'),
          `${n}: a damaged log line`,
        );
      }),
    );
    const f = await Promise.all(names.map(async (n) => [n, await tickCount(n)] as const));
    await until('new ticks after the restart', async () => {
      for (const [n, c] of f) if ((await tickCount(n)) <= c) return false;
      return true;
    });

    // exec and logs -f still reach them; stop works on every one.
    assert.equal(await ok(d, ['exec', 'tick0', 'echo', 'hi']), 'hi\n');
    await Promise.all(names.map((n) => ok(d, ['stop', '-t', '1', n])));
    for (const n of names) {
      assert.equal(await field(d, n, '{{.State.Status}}'), 'exited');
      assert.ok(!existsSync(`/proc/${pids[n]}`), `${n} still runs after stop`);
    }
    await ok(d, ['rm', ...names, 'exiter']);
  });

  test('restart policies across a daemon restart (SIGTERM, then start)', async () => {
    await runD('always', LOOP, ['--restart', 'always']);
    await runD('always-stopped', LOOP, ['--restart', 'always']);
    await runD('always-died', LOOP, ['--restart', 'always']);
    await runD('unless', LOOP, ['--restart', 'unless-stopped']);
    await runD('unless-stopped', LOOP, ['--restart', 'unless-stopped']);
    await runD('unless-died', LOOP, ['--restart', 'unless-stopped']);
    await runD('no-policy', LOOP);
    await ok(d, ['stop', '-t', '1', 'always-stopped', 'unless-stopped']);
    const diedPids = [await pidOf('always-died'), await pidOf('unless-died'), await pidOf('no-policy')];

    assert.equal(await d.stop('SIGTERM'), 0, 'berthd did not exit cleanly on SIGTERM');
    // While the daemon is down, three containers die.
    for (const pid of diedPids) if (pid > 0 && existsSync(`/proc/${pid}`)) await killFromHost(pid);
    await d.restart();

    await untilStatus(d, 'always', 'running');
    await untilStatus(d, 'always-died', 'running');
    await untilStatus(d, 'unless', 'running');
    await untilStatus(d, 'unless-died', 'running');
    // Docker: "always" comes back at daemon start even after a user stop; "unless-stopped" does not.
    await untilStatus(d, 'always-stopped', 'running').catch(async (e) => {
      const st = await field(d, 'always-stopped', '{{.State.Status}} {{.State.ExitCode}} {{json .State.Error}}');
      throw new Error(`${(e as Error).message}; state: ${st}`);
    });
    await sleep(500);
    assert.equal(await field(d, 'unless-stopped', '{{.State.Status}}'), 'exited');
    assert.equal(await field(d, 'no-policy', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    // The ones that came back work.
    assert.equal(await ok(d, ['exec', 'always-died', 'echo', 'back']), 'back\n');
    await ok(d, [
      'rm',
      '-f',
      'always',
      'always-stopped',
      'always-died',
      'unless',
      'unless-stopped',
      'unless-died',
      'no-policy',
    ]);
  });

  test('--restart on-failure:2 retries twice, then stays exited (RestartCount 2)', async () => {
    await runD('onfail', 'echo run; exit 1', ['--restart', 'on-failure:2']);
    await until('two restarts', async () => (await field(d, 'onfail', '{{.RestartCount}}')) === '2', 20_000);
    await untilStatus(d, 'onfail', 'exited');
    await sleep(1500);
    assert.equal(await field(d, 'onfail', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), '2 exited 1');
    assert.deepEqual(lines(await ok(d, ['logs', 'onfail'])), ['run', 'run', 'run']);
    // Exit 0 is no failure: no restart.
    await runD('onfail-ok', 'exit 0', ['--restart', 'on-failure:2']);
    await untilStatus(d, 'onfail-ok', 'exited');
    await sleep(700);
    assert.equal(await field(d, 'onfail-ok', '{{.RestartCount}} {{.State.Status}}'), '0 exited');
  });

  test('--restart always restarts a container that exits; docker stop ends it for good', async () => {
    await runD('alw', 'echo up; sleep 0.3; exit 2', ['--restart', 'always']);
    await until('a restart', async () => Number(await field(d, 'alw', '{{.RestartCount}}')) >= 1, 20_000);
    await ok(d, ['stop', '-t', '1', 'alw']);
    const count = await field(d, 'alw', '{{.RestartCount}}');
    await sleep(1500);
    assert.equal(await field(d, 'alw', '{{.State.Status}}'), 'exited');
    assert.equal(await field(d, 'alw', '{{.RestartCount}}'), count, 'restarted after docker stop');
    const r = await dk(d, ['rm', 'alw']);
    assert.equal(r.code, 0, r.stderr);
  });
});

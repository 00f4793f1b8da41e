/**
 * Issue 3: a container's life through the real docker CLI — run -d, exec,
 * logs (follow, tail, since, timestamps), stop (trap vs ignore TERM),
 * create/start, restart, pause/unpause, kill -s, rename, wait, rm, ps and
 * its filters, inspect's shape, prune and events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dk, dockerStream, field, inspect, lines, ok, saveLog, sleep, until, untilStatus } from './util.ts';

let d: TestDaemon;
const LOOP = 'while true; do sleep 0.1; done';

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  saveLog(d, 'containers-lifecycle');
  await d?.cleanup();
});

/** Runs `sh -c SCRIPT` detached under `name`, with extra run flags. */
async function runD(name: string, script: string, flags: string[] = []): Promise<string> {
  return (await ok(d, ['run', '-d', '--name', name, ...flags, 'busybox', 'sh', '-c', script])).trim();
}

const names = async (...args: string[]): Promise<string[]> =>
  lines(await ok(d, ['ps', '--format', '{{.Names}}', ...args])).sort();

describe('ps (runs first, alone)', () => {
  const ids: Record<string, string> = {};
  before(async () => {
    // In creation order: ps-a exited 0, ps-b exited 3, ps-c created, ps-d running (labelled).
    await ok(d, ['run', '--name', 'ps-a', 'busybox', 'true']);
    await dk(d, ['run', '--name', 'ps-b', '--label', 'tier=db', 'busybox', 'sh', '-c', 'exit 3']);
    await ok(d, ['create', '--name', 'ps-c', 'busybox', 'true']);
    await runD('ps-d', LOOP, ['--label', 'tier=web', '--label', 'team=x']);
    for (const n of ['ps-a', 'ps-b', 'ps-c', 'ps-d']) ids[n] = await field(d, n, '{{.Id}}');
  });

  test('ps lists running containers only; -a lists all', async () => {
    assert.deepEqual(await names(), ['ps-d']);
    assert.deepEqual(await names('-a'), ['ps-a', 'ps-b', 'ps-c', 'ps-d']);
  });

  test('-q gives short IDs, --no-trunc full ones, -n the last n created', async () => {
    assert.deepEqual(lines(await ok(d, ['ps', '-q'])), [ids['ps-d'].slice(0, 12)]);
    assert.deepEqual(lines(await ok(d, ['ps', '-q', '--no-trunc'])), [ids['ps-d']]);
    assert.deepEqual(lines(await ok(d, ['ps', '-n', '2', '--format', '{{.Names}}'])), ['ps-d', 'ps-c']);
    assert.deepEqual(lines(await ok(d, ['ps', '-l', '--format', '{{.Names}}'])), ['ps-d']);
  });

  test('filters: status, label, name, id, ancestor, exited, before, since', async () => {
    assert.deepEqual(await names('-a', '--filter', 'status=exited'), ['ps-a', 'ps-b']);
    assert.deepEqual(await names('-a', '--filter', 'status=created'), ['ps-c']);
    assert.deepEqual(await names('-a', '--filter', 'status=running'), ['ps-d']);
    assert.deepEqual(await names('-a', '--filter', 'label=tier=web'), ['ps-d']);
    assert.deepEqual(await names('-a', '--filter', 'label=tier'), ['ps-b', 'ps-d']);
    assert.deepEqual(await names('-a', '--filter', 'label=tier', '--filter', 'label=team=x'), ['ps-d']);
    assert.deepEqual(await names('-a', '--filter', 'name=ps-b'), ['ps-b']);
    assert.deepEqual(await names('-a', '--filter', `id=${ids['ps-c'].slice(0, 10)}`), ['ps-c']);
    assert.deepEqual(await names('-a', '--filter', 'ancestor=busybox'), ['ps-a', 'ps-b', 'ps-c', 'ps-d']);
    assert.deepEqual(await names('-a', '--filter', 'ancestor=nosuch/image'), []);
    assert.deepEqual(await names('-a', '--filter', 'exited=3'), ['ps-b']);
    assert.deepEqual(await names('-a', '--filter', 'exited=0'), ['ps-a']);
    assert.deepEqual(await names('-a', '--filter', 'before=ps-c'), ['ps-a', 'ps-b']);
    assert.deepEqual(await names('-a', '--filter', 'since=ps-b'), ['ps-c', 'ps-d']);
    // Two values of one key are ORed.
    assert.deepEqual(await names('-a', '--filter', 'name=ps-a', '--filter', 'name=ps-c'), ['ps-a', 'ps-c']);
    const bad = await dk(d, ['ps', '--filter', 'colour=blue']);
    assert.notEqual(bad.code, 0, 'an unknown filter is an error');
  });

  test('--format renders Status, Command, Image and Labels like Docker', async () => {
    const row = (n: string) =>
      ok(d, ['ps', '-a', '--filter', `name=${n}`, '--format', '{{.Status}}|{{.Image}}|{{.Command}}|{{.State}}']);
    assert.match(await row('ps-d'), /^Up .+\|busybox\|"sh -c .{1,2}while true;\s?…"\|running\n$/);
    assert.match(await row('ps-c'), /^Created\|busybox\|"true"\|created\n$/);
    const labels = await ok(d, ['ps', '--filter', 'name=ps-d', '--format', '{{.Label "tier"}}']);
    assert.equal(labels, 'web\n');
    const j = JSON.parse(await ok(d, ['ps', '--filter', 'name=ps-d', '--format', 'json'])) as Record<string, string>;
    assert.equal(j.Names, 'ps-d');
    assert.equal(j.ID, ids['ps-d'].slice(0, 12));
    // Docker's daemon quotes an argument holding a space with single quotes in Command.
    assert.match(await row('ps-b'), /^Exited \(3\) .+ ago\|busybox\|"sh -c 'exit 3'"\|exited\n$/);
  });

  test('-s shows a size', async () => {
    const s = await ok(d, ['ps', '-s', '--filter', 'name=ps-d', '--format', '{{.Size}}']);
    assert.match(s, /^\d+(\.\d+)?k?B \(virtual \d+(\.\d+)?[kM]B\)\n$/);
  });

  after(async () => {
    await ok(d, ['rm', '-f', 'ps-a', 'ps-b', 'ps-c', 'ps-d']);
  });
});

describe('lifecycle', { concurrency: 3 }, () => {
  test('run -d + exec: exit code, -u, -w, -e, -i', async () => {
    await runD('ex1', LOOP);
    const [code, user, wd, env, stdin] = await Promise.all([
      dk(d, ['exec', 'ex1', 'sh', '-c', 'exit 3']),
      ok(d, ['exec', '-u', 'nobody', 'ex1', 'id', '-un']),
      ok(d, ['exec', '-w', '/etc', 'ex1', 'pwd']),
      ok(d, ['exec', '-e', 'X=fromexec', 'ex1', 'sh', '-c', 'echo $X']),
      ok(d, ['exec', '-i', 'ex1', 'cat'], { input: 'through stdin\n' }),
    ]);
    assert.equal(code.code, 3);
    assert.equal(user, 'nobody\n');
    assert.equal(wd, '/etc\n');
    assert.equal(env, 'fromexec\n');
    assert.equal(stdin, 'through stdin\n');
    await ok(d, ['rm', '-f', 'ex1']);
    const gone = await dk(d, ['exec', 'ex1', 'true']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such container/i);
  });

  test('exec of a missing command: exit 127 and the runtime error, like Docker', async () => {
    await runD('ex-missing', LOOP);
    const r = await dk(d, ['exec', 'ex-missing', 'nosuchcmd']);
    // Docker upgrades the connection, writes the error into the stream and records exit code 127.
    assert.equal(r.code, 127, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /nosuchcmd/);
    await ok(d, ['rm', '-f', 'ex-missing']);
  });

  test('exec into a stopped container is refused', async () => {
    await ok(d, ['create', '--name', 'ex-stopped', 'busybox', 'true']);
    const r = await dk(d, ['exec', 'ex-stopped', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not running/);
  });

  test('logs -f follows new lines and ends when the container exits', async () => {
    await runD('lf', 'echo one; while [ ! -f /tmp/stop ]; do sleep 0.05; done; sleep 0.2; echo two');
    const f = dockerStream(d, ['logs', '-f', 'lf']);
    await f.waitOut(/one\n/);
    await ok(d, ['exec', 'lf', 'sh', '-c', 'echo injected > /proc/1/fd/1']);
    await f.waitOut(/injected\n/);
    await ok(d, ['exec', 'lf', 'touch', '/tmp/stop']);
    const code = await Promise.race([f.exited, sleep(10_000).then(() => 'still running')]);
    assert.equal(code, 0, `logs -f did not end when the container exited: ${f.err()}`);
    assert.equal(f.out(), 'one\ninjected\ntwo\n');
  });

  test('logs --tail, -t, --since, --until', async () => {
    await runD(
      'lt',
      'for i in 1 2 3 4 5; do echo l$i; done; while [ ! -f /tmp/go ]; do sleep 0.05; done; sleep 0.2; echo late',
    );
    await until('five lines', async () => (await ok(d, ['logs', 'lt'])).includes('l5'));
    await sleep(1100); // --since has one-second resolution in the CLI when given as an integer; use fractions below
    const mid = Date.now() / 1000;
    await ok(d, ['exec', 'lt', 'touch', '/tmp/go']);
    await untilStatus(d, 'lt', 'exited');
    assert.equal(await ok(d, ['logs', '--tail', '2', 'lt']), 'l5\nlate\n');
    assert.equal(await ok(d, ['logs', '--tail', '0', 'lt']), '');
    assert.equal(await ok(d, ['logs', '--tail', 'all', 'lt']), 'l1\nl2\nl3\nl4\nl5\nlate\n');
    const ts = lines(await ok(d, ['logs', '-t', 'lt']));
    assert.equal(ts.length, 6);
    for (const l of ts) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z l\d|late$/);
    assert.equal(await ok(d, ['logs', '--since', mid.toFixed(3), 'lt']), 'late\n');
    assert.equal(await ok(d, ['logs', '--until', mid.toFixed(3), 'lt']), 'l1\nl2\nl3\nl4\nl5\n');
    assert.equal(await ok(d, ['logs', '--since', '10m', 'lt']), 'l1\nl2\nl3\nl4\nl5\nlate\n');
  });

  test('logs keep stdout and stderr apart', async () => {
    await ok(d, ['run', '--name', 'lse', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    const r = await dk(d, ['logs', 'lse']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('stop: a shell that traps TERM stops at once with its own code', async () => {
    await runD('st-trap', `trap 'exit 0' TERM; ${LOOP}`);
    const t0 = Date.now();
    await ok(d, ['stop', 'st-trap']);
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `stop took ${ms} ms`);
    assert.equal(await field(d, 'st-trap', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
  });

  test('stop: one that ignores TERM is killed after -t 1 (exit 137)', async () => {
    await runD('st-ign', `trap '' TERM; ${LOOP}`);
    const t0 = Date.now();
    await ok(d, ['stop', '-t', '1', 'st-ign']);
    const ms = Date.now() - t0;
    assert.ok(ms >= 900 && ms < 5000, `stop -t 1 took ${ms} ms`);
    assert.equal(await field(d, 'st-ign', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
  });

  test('--stop-signal and stop -s pick the signal', async () => {
    await runD('st-sig', `trap 'exit 5' HUP; trap '' TERM; ${LOOP}`, ['--stop-signal', 'HUP']);
    assert.equal(await field(d, 'st-sig', '{{.Config.StopSignal}}'), 'HUP');
    await ok(d, ['stop', '-t', '5', 'st-sig']);
    assert.equal(await field(d, 'st-sig', '{{.State.ExitCode}}'), '5');
    await runD('st-sig2', `trap 'exit 6' USR2; trap '' TERM; ${LOOP}`);
    await ok(d, ['stop', '-s', 'USR2', '-t', '5', 'st-sig2']);
    assert.equal(await field(d, 'st-sig2', '{{.State.ExitCode}}'), '6');
  });

  test('rm: a running container needs -f; rm of a stopped one works', async () => {
    await runD('rm-run', LOOP);
    const r = await dk(d, ['rm', 'rm-run']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /running/);
    assert.equal(await field(d, 'rm-run', '{{.State.Status}}'), 'running');
    await ok(d, ['rm', '-f', 'rm-run']);
    assert.notEqual((await dk(d, ['inspect', 'rm-run'])).code, 0);
    await ok(d, ['create', '--name', 'rm-stopped', 'busybox', 'true']);
    assert.equal(await ok(d, ['rm', 'rm-stopped']), 'rm-stopped\n');
    const again = await dk(d, ['rm', 'rm-stopped']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /No such container/);
  });

  test('create then start (and start -a)', async () => {
    await ok(d, ['create', '--name', 'cs', 'busybox', 'sh', '-c', 'echo started']);
    assert.equal(await field(d, 'cs', '{{.State.Status}}'), 'created');
    assert.equal(await ok(d, ['start', '-a', 'cs']), 'started\n');
    assert.equal(await field(d, 'cs', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
    await ok(d, ['start', 'cs']);
    await untilStatus(d, 'cs', 'exited');
    assert.equal(await ok(d, ['logs', 'cs']), 'started\nstarted\n', 'a second start appends to the log');
  });

  test('restart: a new process, RestartCount unchanged', async () => {
    await runD('rs', LOOP);
    const before1 = await inspect(d, 'rs');
    await ok(d, ['restart', '-t', '1', 'rs']);
    const after1 = await inspect(d, 'rs');
    assert.equal(after1.State.Status, 'running');
    assert.notEqual(after1.State.Pid, before1.State.Pid);
    assert.ok(Date.parse(after1.State.StartedAt) > Date.parse(before1.State.StartedAt));
    assert.equal(after1.RestartCount, 0);
    await ok(d, ['rm', '-f', 'rs']);
  });

  test('pause freezes the process; unpause lets it go on', async () => {
    await runD('pz', 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done');
    await until('output', async () => lines(await ok(d, ['logs', 'pz'])).length > 2);
    await ok(d, ['pause', 'pz']);
    assert.equal(await field(d, 'pz', '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    assert.match(await ok(d, ['ps', '--filter', 'name=pz', '--format', '{{.Status}}']), /\(Paused\)/);
    const n1 = lines(await ok(d, ['logs', 'pz'])).length;
    await sleep(600);
    const n2 = lines(await ok(d, ['logs', 'pz'])).length;
    assert.equal(n2, n1, 'the paused process kept writing');
    const ex = await dk(d, ['exec', 'pz', 'true']);
    assert.notEqual(ex.code, 0, 'exec into a paused container is refused');
    await ok(d, ['unpause', 'pz']);
    assert.equal(await field(d, 'pz', '{{.State.Status}} {{.State.Paused}}'), 'running false');
    await until('more output', async () => lines(await ok(d, ['logs', 'pz'])).length > n2 + 2);
    await ok(d, ['rm', '-f', 'pz']);
  });

  test('kill -s USR1 delivers the signal; kill kills (137)', async () => {
    await runD('kl', `trap 'echo got-usr1' USR1; ${LOOP}`);
    await ok(d, ['kill', '-s', 'USR1', 'kl']);
    await until('got-usr1 in the log', async () => (await ok(d, ['logs', 'kl'])).includes('got-usr1'));
    assert.equal(await field(d, 'kl', '{{.State.Status}}'), 'running');
    await ok(d, ['kill', 'kl']);
    await untilStatus(d, 'kl', 'exited');
    assert.equal(await field(d, 'kl', '{{.State.ExitCode}}'), '137');
    const again = await dk(d, ['kill', 'kl']);
    assert.notEqual(again.code, 0, 'kill of a stopped container is an error');
  });

  test('rename', async () => {
    await ok(d, ['create', '--name', 'rn-old', 'busybox', 'true']);
    await ok(d, ['create', '--name', 'rn-taken', 'busybox', 'true']);
    await ok(d, ['rename', 'rn-old', 'rn-new']);
    assert.equal(await field(d, 'rn-new', '{{.Name}}'), '/rn-new');
    assert.notEqual((await dk(d, ['inspect', 'rn-old'])).code, 0);
    const clash = await dk(d, ['rename', 'rn-new', 'rn-taken']);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /already in use/);
    // The old name is free again.
    await ok(d, ['create', '--name', 'rn-old', 'busybox', 'true']);
  });

  test('wait returns the exit code', async () => {
    await runD('wt', 'while [ ! -f /tmp/go ]; do sleep 0.05; done; sleep 0.2; exit 7');
    const w = d.dockerAsync(['wait', 'wt'], { timeoutMs: 20_000 });
    await sleep(300);
    await ok(d, ['exec', 'wt', 'touch', '/tmp/go']);
    const r = await w;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '7\n');
    assert.equal(await ok(d, ['wait', 'wt']), '7\n', 'wait on an exited container returns at once');
  });

  test('inspect has Docker shape', async () => {
    await runD('insp', LOOP, ['--label', 'k=v', '-e', 'E=1', '--memory', '64m']);
    const j = await inspect(d, 'insp');
    assert.match(j.Id, /^[0-9a-f]{64}$/);
    assert.equal(j.Name, '/insp');
    assert.match(j.Created, /^\d{4}-\d\d-\d\dT/);
    assert.match(j.Image, /^sha256:[0-9a-f]{64}$/);
    assert.equal(j.Path, 'sh');
    assert.deepEqual(j.Args, ['-c', LOOP]);
    const s = j.State;
    assert.equal(s.Status, 'running');
    assert.equal(s.Running, true);
    assert.equal(s.Paused, false);
    assert.equal(s.Restarting, false);
    assert.equal(s.OOMKilled, false);
    assert.equal(s.Dead, false);
    assert.ok(s.Pid > 0);
    assert.equal(s.ExitCode, 0);
    assert.equal(s.Error, '');
    assert.ok(Date.parse(s.StartedAt) > 0);
    assert.equal(s.FinishedAt, '0001-01-01T00:00:00Z');
    assert.equal(j.RestartCount, 0);
    assert.equal(j.Config.Image, 'busybox');
    assert.equal(j.Config.Labels.k, 'v');
    assert.ok(j.Config.Env.includes('E=1'));
    assert.equal(j.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(j.HostConfig.RestartPolicy.Name, 'no');
    assert.ok(Array.isArray(j.Mounts));
    assert.equal(typeof j.NetworkSettings, 'object');
    assert.equal(typeof j.NetworkSettings.Networks, 'object');
    assert.match(j.LogPath, /\//);
    assert.equal(j.Driver, 'overlay2');
    assert.equal(typeof j.GraphDriver?.Data, 'object');
    // The real process is there.
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(`/proc/${s.Pid}/cmdline`, 'utf8'), /^sh\0-c\0/);
    await ok(d, ['stop', '-t', '0', 'insp']);
    const e = (await inspect(d, 'insp')).State;
    assert.equal(e.Status, 'exited');
    assert.equal(e.Running, false);
    assert.equal(e.Pid, 0);
    assert.equal(e.ExitCode, 137);
    assert.ok(Date.parse(e.FinishedAt) >= Date.parse(e.StartedAt));
  });

  test('events show create, start, die, destroy', async () => {
    const since = (Date.now() / 1000 - 1).toFixed(3);
    await ok(d, ['run', '--rm', '--name', 'evt', 'busybox', 'true']);
    const until0 = (Date.now() / 1000 + 1).toFixed(3);
    const out = await ok(d, [
      'events',
      '--since',
      since,
      '--until',
      until0,
      '--filter',
      'container=evt',
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
    ]);
    const ev = lines(out).filter((l) => !l.includes(' attach '));
    assert.deepEqual(ev, ['container create evt', 'container start evt', 'container die evt', 'container destroy evt']);
  });

  test('events -f streams live events', async () => {
    const s = dockerStream(d, ['events', '--filter', 'container=evlive', '--format', '{{.Action}}']);
    await sleep(300);
    await ok(d, ['run', '--name', 'evlive', 'busybox', 'true']);
    await s.waitOut(/die/);
    s.proc.kill('SIGTERM');
    await s.exited;
    assert.match(s.out(), /create\n(attach\n)?start\ndie\n/);
  });
});

describe('container prune (last, alone)', () => {
  test('removes stopped containers only', async () => {
    await ok(d, ['run', '--name', 'pr-exited', 'busybox', 'true']);
    await runD('pr-running', LOOP);
    const exitedId = await field(d, 'pr-exited', '{{.Id}}');
    const out = await ok(d, ['container', 'prune', '-f']);
    assert.match(out, /Deleted Containers:/);
    assert.ok(out.includes(exitedId), out);
    assert.match(out, /Total reclaimed space:/);
    assert.deepEqual(await names('-a', '--filter', 'name=pr-'), ['pr-running']);
    assert.deepEqual(await names('-a', '--filter', 'status=exited'), []);
    await ok(d, ['rm', '-f', 'pr-running']);
  });
});

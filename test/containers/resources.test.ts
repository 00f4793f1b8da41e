/**
 * Issue 3: resource limits — an OOM kill is reported (exit 137,
 * OOMKilled), a pids limit holds a fork bomb, and the cpu, cpuset, memory,
 * swap, ulimit, shm and sysctl flags land where a process sees them; update,
 * stats and top on a running container.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dk, field, lines, ok, saveLog, until, untilStatus } from './util.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  saveLog(d, 'containers-resources');
  await d?.cleanup();
});

const sh = (script: string, flags: string[] = []) =>
  ok(d, ['run', '--rm', ...flags, 'busybox', 'sh', '-c', script], { timeoutMs: 30_000 });

/** The host path of a running container's cgroup for `controller` (from /proc/PID/cgroup). */
async function cgroupDir(name: string, controller: string): Promise<string> {
  const pid = await field(d, name, '{{.State.Pid}}');
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes(controller));
  assert.ok(line, `no ${controller} cgroup for ${name}`);
  return `/sys/fs/cgroup/${controller}${line.split(':')[2]}`;
}

describe('limits', { concurrency: 3 }, () => {
  test('--memory 32m: a process that grows past it is OOM-killed (137, OOMKilled true)', async () => {
    const r = await dk(
      d,
      ['run', '--name', 'oom', '--memory', '32m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done'],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 137, r.stderr);
    assert.equal(
      await field(d, 'oom', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}'),
      'true 137 exited',
    );
    await ok(d, ['run', '-d', '--name', 'not-oom', '--memory', '32m', 'busybox', 'sleep', '1000']);
    await ok(d, ['kill', 'not-oom']);
    await untilStatus(d, 'not-oom', 'exited');
    assert.equal(
      await field(d, 'not-oom', '{{.State.OOMKilled}} {{.State.ExitCode}}'),
      'false 137',
      'a plain SIGKILL is no OOM kill',
    );
  });

  test('--pids-limit 20 holds a fork bomb; the host is fine; rm -f cleans it up', async () => {
    await ok(d, [
      'run',
      '-d',
      '--name',
      'bomb',
      '--pids-limit',
      '20',
      'busybox',
      'sh',
      '-c',
      'f() { f | f & }; f; exec sleep 1000',
    ]);
    assert.equal(await field(d, 'bomb', '{{.HostConfig.PidsLimit}}'), '20');
    const dir = await cgroupDir('bomb', 'pids');
    assert.equal(readFileSync(`${dir}/pids.max`, 'utf8').trim(), '20');
    await until('the bomb to hit the limit', () => Number(readFileSync(`${dir}/pids.current`, 'utf8')) >= 15, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(Number(readFileSync(`${dir}/pids.current`, 'utf8')) <= 20);
    assert.equal(spawnSync('true').status, 0, 'the host cannot fork');
    await ok(d, ['rm', '-f', 'bomb'], { timeoutMs: 30_000 });
    assert.notEqual((await dk(d, ['inspect', 'bomb'])).code, 0);
  });

  test('--pids-limit: forks beyond the limit fail, the container keeps working', async () => {
    // The forks run in a child shell (a failed fork ends a non-interactive sh); the parent uses builtins only.
    const out = await sh(
      "sh -c 'while true; do sleep 1000 & done' 2>/dev/null; read n < /sys/fs/cgroup/pids/pids.current; " +
        'kill -9 -1; wait; echo "procs=$n"; cat /sys/fs/cgroup/pids/pids.max; echo still-working',
      ['--pids-limit', '20'],
    );
    const l = lines(out);
    const procs = Number(l[0].split('=')[1]);
    assert.ok(procs <= 20 && procs >= 10, `processes seen: ${procs}`);
    assert.equal(l[1], '20');
    assert.equal(l.at(-1), 'still-working');
  });

  test('--cpus, --cpu-shares, --cpuset-cpus', async () => {
    const out = await sh(
      'cd /sys/fs/cgroup; cat cpu/cpu.cfs_period_us cpu/cpu.cfs_quota_us cpu/cpu.shares cpuset/cpuset.cpus; nproc',
      ['--cpus', '1.5', '--cpu-shares', '512', '--cpuset-cpus', '0'],
    );
    assert.deepEqual(lines(out), ['100000', '150000', '512', '0', '1']);
  });

  test('--memory and --memory-swap; by default swap is twice the memory', async () => {
    const cat = 'cd /sys/fs/cgroup/memory; cat memory.limit_in_bytes memory.memsw.limit_in_bytes';
    assert.deepEqual(lines(await sh(cat, ['--memory', '64m', '--memory-swap', '128m'])), ['67108864', '134217728']);
    assert.deepEqual(lines(await sh(cat, ['--memory', '64m'])), ['67108864', '134217728']);
    assert.deepEqual(lines(await sh(cat, ['--memory', '64m', '--memory-swap', '-1'])), [
      '67108864',
      '9223372036854771712',
    ]);
    const bad = await dk(d, ['create', '--memory', '64m', '--memory-swap', '32m', 'busybox']);
    assert.notEqual(bad.code, 0, 'a swap limit below the memory limit must be refused');
  });

  test('--ulimit nofile=1024:1024', async () => {
    assert.deepEqual(lines(await sh('ulimit -n; ulimit -Hn', ['--ulimit', 'nofile=1024:1024'])), ['1024', '1024']);
    assert.deepEqual(lines(await sh('ulimit -n; ulimit -Hn', ['--ulimit', 'nofile=512:1024'])), ['512', '1024']);
  });

  test('--shm-size', async () => {
    assert.match(await sh('grep " /dev/shm " /proc/mounts', ['--shm-size', '128m']), /size=131072k/);
    assert.match(await sh('df -k /dev/shm | tail -1', ['--shm-size', '128m']), /\s131072\s/);
  });

  test('--sysctl net.ipv4.ip_forward=1 is visible inside; a host-wide sysctl is refused', async () => {
    assert.equal(await sh('cat /proc/sys/net/ipv4/ip_forward', ['--sysctl', 'net.ipv4.ip_forward=1']), '1\n');
    assert.equal(await sh('cat /proc/sys/kernel/msgmax', ['--sysctl', 'kernel.msgmax=65536']), '65536\n');
    const bad = await dk(d, ['run', '--name', 'bad-sysctl', '--sysctl', 'vm.swappiness=10', 'busybox', 'true'], {
      timeoutMs: 20_000,
    });
    assert.notEqual(bad.code, 0, 'vm.swappiness is not namespaced: Docker refuses it');
  });
});

describe('update, stats, top', { concurrency: 3 }, () => {
  test('update changes the memory and cpu limits of a running container', async () => {
    await ok(d, [
      'run',
      '-d',
      '--name',
      'upd',
      '--memory',
      '64m',
      'busybox',
      'sh',
      '-c',
      'while true; do sleep 0.1; done',
    ]);
    await ok(d, [
      'update',
      '--memory',
      '96m',
      '--memory-swap',
      '192m',
      '--cpu-shares',
      '256',
      '--pids-limit',
      '50',
      'upd',
    ]);
    const mem = await cgroupDir('upd', 'memory');
    assert.equal(readFileSync(`${mem}/memory.limit_in_bytes`, 'utf8').trim(), String(96 * 1024 * 1024));
    assert.equal(readFileSync(`${await cgroupDir('upd', 'cpu')}/cpu.shares`, 'utf8').trim(), '256');
    assert.equal(readFileSync(`${await cgroupDir('upd', 'pids')}/pids.max`, 'utf8').trim(), '50');
    assert.equal(await field(d, 'upd', '{{.HostConfig.Memory}} {{.HostConfig.CpuShares}}'), `${96 * 1024 * 1024} 256`);
    await ok(d, ['update', '--restart', 'on-failure:2', 'upd']);
    assert.equal(await field(d, 'upd', '{{.HostConfig.RestartPolicy.Name}}'), 'on-failure');
    await ok(d, ['rm', '-f', 'upd']);
  });

  test('stats --no-stream shows memory against the limit; top lists the processes', async () => {
    await ok(d, [
      'run',
      '-d',
      '--name',
      'st',
      '--memory',
      '64m',
      'busybox',
      'sh',
      '-c',
      'while true; do sleep 0.1; done',
    ]);
    const s = await ok(d, ['stats', '--no-stream', '--format', '{{.Name}}|{{.MemUsage}}|{{.PIDs}}', 'st']);
    assert.match(s, /^st\|[\d.]+[KMG]?i?B \/ 64MiB\|[1-9]\d*\n$/);
    const top = await ok(d, ['top', 'st']);
    assert.match(top, /^UID\s+PID\s+PPID/);
    assert.match(top, /while true/);
    const topAux = await ok(d, ['top', 'st', '-o', 'pid,comm']);
    assert.match(topAux, /^PID\s+COMMAND/);
    await ok(d, ['rm', '-f', 'st']);
  });

  test('a container restarted by its policy after an OOM shows RestartCount', async () => {
    const r = await dk(d, [
      'run',
      '-d',
      '--name',
      'oom-restart',
      '--restart',
      'on-failure:1',
      '--memory',
      '32m',
      'busybox',
      'sh',
      '-c',
      'x=a; while true; do x=$x$x; done',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await until('one restart', async () => (await field(d, 'oom-restart', '{{.RestartCount}}')) === '1', 30_000);
    await untilStatus(d, 'oom-restart', 'exited', 30_000);
    assert.equal(await field(d, 'oom-restart', '{{.State.ExitCode}} {{.State.OOMKilled}}'), '137 true');
  });
});

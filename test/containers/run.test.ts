/**
 * Issue 3: `docker run` and its flags, driven by the real docker CLI against
 * berthd — output, exit codes, stdin, environment, users, entrypoint,
 * hostname, labels, --init, --read-only with --tmpfs, restart-policy
 * validation and how the image's config merges with the run's.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { api, dk, field, importImage, inspect, lines, ok, saveLog } from './util.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  await Promise.all([
    importImage(d, 'merge/ep:1', [
      'ENTRYPOINT ["/bin/echo","ep"]',
      'CMD ["from-cmd"]',
      'ENV A=1 B=2',
      'WORKDIR /srv',
      'USER 1234:4321',
      'LABEL from.image=yes',
    ]),
    importImage(d, 'merge/cmd:1', ['CMD ["echo","image-cmd"]']),
  ]);
});

after(async () => {
  saveLog(d, 'containers-run');
  await d?.cleanup();
});

describe('docker run', { concurrency: 4 }, () => {
  test('run --rm busybox echo hello prints hello and leaves no container', async () => {
    const r = await dk(d, ['run', '--rm', '--name', 'hello1', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    const ps = await ok(d, ['ps', '-a', '--filter', 'name=hello1', '-q']);
    assert.equal(ps.trim(), '', '--rm left the container behind');
  });

  test("sh -c 'exit 42' exits 42", async () => {
    const r = await dk(d, ['run', '--rm', 'busybox', 'sh', '-c', 'exit 42']);
    assert.equal(r.code, 42, r.stderr);
  });

  test('stdin: echo x | docker run -i --rm busybox cat prints x', async () => {
    const r = await dk(d, ['run', '-i', '--rm', 'busybox', 'cat'], { input: 'x\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x\n');
    const big = `${'0123456789abcdef'.repeat(64 * 1024)}\n`;
    const r2 = await dk(d, ['run', '-i', '--rm', 'busybox', 'wc', '-c'], { input: big });
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(r2.stdout.trim(), String(big.length), 'a 1 MiB stdin arrives whole');
  });

  test('stdout and stderr stay apart', async () => {
    const r = await dk(d, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('a missing command exits 127; State records 127 and the error', async () => {
    const r = await dk(d, ['run', '--name', 'nocmd', 'busybox', 'nosuchcmd'], { timeoutMs: 15_000 });
    assert.equal(r.code, 127, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /nosuchcmd/);
    assert.match(await field(d, 'nocmd', '{{.State.Error}}'), /nosuchcmd/);
    assert.equal(await field(d, 'nocmd', '{{.State.ExitCode}}'), '127');
  });

  test('a start that fails under --rm: the CLI returns and the container is removed', async () => {
    const r = await dk(d, ['run', '--rm', '--name', 'nocmd-rm', 'busybox', 'nosuchcmd'], { timeoutMs: 15_000 });
    assert.equal(r.code, 127, `exit ${r.code} (-1: the CLI hung waiting for the removal): ${r.stderr}`);
    assert.equal((await ok(d, ['ps', '-aq', '--filter', 'name=nocmd-rm'])).trim(), '');
  });

  test('a command that is not executable exits 126', async () => {
    const r = await dk(d, ['run', '--name', 'noexec', 'busybox', '/etc/passwd'], { timeoutMs: 15_000 });
    assert.equal(r.code, 126, `exit ${r.code}: ${r.stderr}`);
  });

  test('--name names the container; a second one with the name is refused', async () => {
    await ok(d, ['run', '--name', 'named1', 'busybox', 'true']);
    assert.equal(await field(d, 'named1', '{{.Name}}'), '/named1');
    const r = await dk(d, ['run', '--name', 'named1', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /already in use/);
  });

  test('default hostname is the short ID', async () => {
    await ok(d, ['run', '--name', 'hn-default', 'busybox', 'hostname']);
    const id = await field(d, 'hn-default', '{{.Id}}');
    assert.equal((await ok(d, ['logs', 'hn-default'])).trim(), id.slice(0, 12));
  });

  test('-e sets, passes through and empties variables; PATH and HOSTNAME are there', async () => {
    const out = await ok(
      d,
      ['run', '--rm', '-e', 'FOO=bar', '-e', 'EMPTY=', '-e', 'PASSED', '--hostname', 'envhost', 'busybox', 'env'],
      { env: { PASSED: 'through' } },
    );
    const env = lines(out);
    assert.ok(env.includes('FOO=bar'), out);
    assert.ok(env.includes('EMPTY='), out);
    assert.ok(env.includes('PASSED=through'), out);
    assert.ok(env.includes('HOSTNAME=envhost'), out);
    assert.ok(env.includes('HOME=/root'), out);
    assert.ok(
      env.includes('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
      `default PATH missing: ${out}`,
    );
  });

  test('--env-file reads variables, skipping comments and blank lines', async () => {
    const file = join(d.dir, 'test.env');
    writeFileSync(file, '# a comment\nA=1\n\nB=two words\nC=x=y\n');
    const out = await ok(d, ['run', '--rm', '--env-file', file, 'busybox', 'sh', '-c', 'echo "$A|$B|$C"']);
    assert.equal(out, '1|two words|x=y\n');
  });

  test('-w sets the working directory, creating it when missing', async () => {
    assert.equal(await ok(d, ['run', '--rm', '-w', '/etc', 'busybox', 'pwd']), '/etc\n');
    assert.equal(await ok(d, ['run', '--rm', '-w', '/new/dir', 'busybox', 'pwd']), '/new/dir\n');
  });

  test('-u: name, uid:gid, name:group, as Docker prints them', async () => {
    const [a, b, c, root] = await Promise.all([
      ok(d, ['run', '--rm', '-u', 'nobody', 'busybox', 'id']),
      ok(d, ['run', '--rm', '-u', '1000:1000', 'busybox', 'id']),
      ok(d, ['run', '--rm', '-u', 'nobody:nogroup', 'busybox', 'id']),
      ok(d, ['run', '--rm', 'busybox', 'id']),
    ]);
    // Docker puts the primary group into the supplementary groups too (since the CVE-2022-36109 fix).
    assert.equal(a, 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
    assert.equal(b, 'uid=1000 gid=1000 groups=1000\n');
    assert.equal(c, 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
    assert.equal(root, 'uid=0(root) gid=0(root) groups=0(root)\n');
  });

  test('-u with an unknown user name fails', async () => {
    const r = await dk(d, ['run', '--name', 'baduser', '-u', 'nosuchuser', 'busybox', 'id'], { timeoutMs: 15_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nosuchuser/);
  });

  test('--entrypoint replaces the entrypoint', async () => {
    assert.equal(await ok(d, ['run', '--rm', '--entrypoint', '/bin/echo', 'busybox', 'hi', 'there']), 'hi there\n');
  });

  test('--hostname sets hostname and /etc/hostname; /etc/hosts has localhost', async () => {
    const out = await ok(d, [
      'run',
      '--rm',
      '--hostname',
      'myhost',
      'busybox',
      'sh',
      '-c',
      'hostname; cat /etc/hostname; cat /etc/hosts',
    ]);
    const l = lines(out);
    assert.equal(l[0], 'myhost');
    assert.equal(l[1], 'myhost');
    assert.ok(
      l.some((x) => /^127\.0\.0\.1\s+localhost/.test(x)),
      `no localhost line: ${out}`,
    );
  });

  test('--label lands in Config.Labels beside the image labels', async () => {
    await ok(d, ['run', '--name', 'labelled', '--label', 'a=b', '--label', 'c', 'merge/cmd:1']);
    const labels = JSON.parse(await field(d, 'labelled', '{{json .Config.Labels}}')) as Record<string, string>;
    assert.equal(labels.a, 'b');
    assert.equal(labels.c, '');
  });

  test('--init: pid 1 is the init, the command is its child', async () => {
    const out = await ok(d, ['run', '--rm', '--init', 'busybox', 'sh', '-c', 'echo $$; cat /proc/1/comm']);
    const [pid, comm] = lines(out);
    assert.notEqual(pid, '1', 'the command is pid 1: no init');
    assert.match(comm, /init|tini|catatonit/);
    const plain = await ok(d, ['run', '--rm', 'busybox', 'sh', '-c', 'echo $$']);
    assert.equal(plain, '1\n');
  });

  test('--read-only: the rootfs refuses writes, --tmpfs /run accepts them', async () => {
    const r = await dk(d, [
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/run',
      'busybox',
      'sh',
      '-c',
      'touch /x 2>&1; echo rc=$?; touch /run/x && echo run-ok; grep " /run " /proc/mounts',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Read-only file system/);
    assert.match(r.stdout, /rc=1/);
    assert.match(r.stdout, /run-ok/);
    assert.match(r.stdout, /^tmpfs \/run tmpfs rw,nosuid,nodev,noexec/m);
  });

  test('--restart: valid policies are stored, invalid ones refused', async () => {
    await ok(d, ['create', '--name', 'rp-ok', '--restart', 'on-failure:3', 'busybox', 'true']);
    assert.equal(await field(d, 'rp-ok', '{{.HostConfig.RestartPolicy.Name}}'), 'on-failure');
    assert.equal(await field(d, 'rp-ok', '{{.HostConfig.RestartPolicy.MaximumRetryCount}}'), '3');
    const cli = await dk(d, ['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    assert.notEqual(cli.code, 0, '--rm with --restart always must be refused');
    // The daemon's own checks, below the CLI.
    const bad = async (policy: unknown) =>
      api(d, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { RestartPolicy: policy } });
    for (const policy of [
      { Name: 'sometimes' },
      { Name: 'always', MaximumRetryCount: 3 },
      { Name: 'on-failure', MaximumRetryCount: -1 },
    ]) {
      const res = await bad(policy);
      assert.equal(res.status, 400, `${JSON.stringify(policy)} gave ${res.status}: ${res.body}`);
      assert.match(res.json().message, /restart policy/i);
    }
    const autoRemove = await api(d, 'POST', '/v1.47/containers/create', {
      Image: 'busybox',
      HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } },
    });
    assert.equal(autoRemove.status, 400, autoRemove.body);
  });
});

describe('image config merges like Docker', { concurrency: 4 }, () => {
  test('image Cmd runs when none is given; args replace it', async () => {
    assert.equal(await ok(d, ['run', '--rm', 'merge/cmd:1']), 'image-cmd\n');
    assert.equal(await ok(d, ['run', '--rm', 'merge/cmd:1', 'echo', 'mine']), 'mine\n');
  });

  test('Entrypoint + Cmd; args replace Cmd only; --entrypoint resets Cmd', async () => {
    assert.equal(await ok(d, ['run', '--rm', 'merge/ep:1']), 'ep from-cmd\n');
    assert.equal(await ok(d, ['run', '--rm', 'merge/ep:1', 'x', 'y']), 'ep x y\n');
    assert.equal(await ok(d, ['run', '--rm', '--entrypoint', '/bin/echo', 'merge/ep:1']), '\n');
    assert.equal(await ok(d, ['run', '--rm', '--entrypoint', '/bin/echo', 'merge/ep:1', 'z']), 'z\n');
  });

  test('Env merges (run wins), WorkingDir and User come from the image', async () => {
    const out = await ok(d, [
      'run',
      '--rm',
      '--entrypoint',
      '/bin/sh',
      '-e',
      'B=3',
      '-e',
      'C=4',
      'merge/ep:1',
      '-c',
      'echo "$A|$B|$C"; pwd; id -u; id -g',
    ]);
    assert.deepEqual(lines(out), ['1|3|4', '/srv', '1234', '4321']);
    const c = await ok(d, ['run', '--rm', '--entrypoint', '/bin/id', '-u', '0', 'merge/ep:1', '-u']);
    assert.equal(c, '0\n', '-u overrides the image USER');
  });

  test('inspect shows the merged config', async () => {
    await ok(d, ['create', '--name', 'merged', '-e', 'B=3', 'merge/ep:1']);
    const j = await inspect(d, 'merged');
    assert.deepEqual(j.Config.Entrypoint, ['/bin/echo', 'ep']);
    assert.deepEqual(j.Config.Cmd, ['from-cmd']);
    assert.equal(j.Config.WorkingDir, '/srv');
    assert.equal(j.Config.User, '1234:4321');
    assert.ok(j.Config.Env.includes('A=1'), JSON.stringify(j.Config.Env));
    assert.ok(j.Config.Env.includes('B=3'), JSON.stringify(j.Config.Env));
    assert.ok(!j.Config.Env.includes('B=2'), JSON.stringify(j.Config.Env));
    assert.equal(j.Config.Labels['from.image'], 'yes');
    assert.equal(j.Config.Image, 'merge/ep:1');
    assert.equal(j.Path, '/bin/echo');
    assert.deepEqual(j.Args, ['ep', 'from-cmd']);
  });
});

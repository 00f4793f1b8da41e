/**
 * Issue 3: security defaults as Docker's — capabilities, masked and
 * read-only paths, seccomp, no-new-privileges, fresh namespaces, a network
 * namespace with loopback only, a minimal /dev and the device cgroup.
 */
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dk, lines, ok, saveLog } from './util.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  saveLog(d, 'containers-security');
  await d?.cleanup();
});

/** Runs `sh -c script` in a fresh busybox container with the given flags; returns stdout (exit 0 asserted). */
const sh = (script: string, flags: string[] = []) => ok(d, ['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);

/** A field of /proc/self/status inside a container started with `flags`. */
const status = async (name: string, flags: string[] = []): Promise<string> => {
  const out = await sh(`grep '^${name}:' /proc/self/status`, flags);
  return out.split(/\s+/)[1];
};

const hostStatus = (name: string): string => {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${name}:\\s+(\\S+)`, 'm'));
  return m ? m[1] : '';
};

describe('capabilities', { concurrency: 4 }, () => {
  test("default CapEff is Docker's 00000000a80425fb (and CapBnd, CapPrm too)", async () => {
    const out = await sh('grep -E "^Cap(Eff|Prm|Bnd|Inh|Amb):" /proc/self/status');
    const caps = Object.fromEntries(lines(out).map((l) => l.split(/:\s+/)));
    assert.equal(caps.CapEff, '00000000a80425fb');
    assert.equal(caps.CapPrm, '00000000a80425fb');
    assert.equal(caps.CapBnd, '00000000a80425fb');
    assert.equal(caps.CapInh, '0000000000000000');
    assert.equal(caps.CapAmb, '0000000000000000');
  });

  test('--cap-drop ALL gives 0', async () => {
    assert.equal(await status('CapEff', ['--cap-drop', 'ALL']), '0000000000000000');
    assert.equal(await status('CapBnd', ['--cap-drop', 'ALL']), '0000000000000000');
  });

  test('--cap-add NET_ADMIN adds bit 12; --cap-drop CHOWN removes bit 0', async () => {
    assert.equal(await status('CapEff', ['--cap-add', 'NET_ADMIN']), '00000000a80435fb');
    assert.equal(await status('CapEff', ['--cap-add', 'CAP_NET_ADMIN', '--cap-drop', 'chown']), '00000000a80435fa');
    assert.equal(await status('CapEff', ['--cap-drop', 'ALL', '--cap-add', 'KILL']), '0000000000000020');
  });

  test('a non-root user has no effective capabilities', async () => {
    assert.equal(await status('CapEff', ['-u', 'nobody']), '0000000000000000');
  });

  test('--privileged gives every capability the host has, no seccomp', async () => {
    assert.equal(await status('CapEff', ['--privileged']), hostStatus('CapBnd'));
    assert.equal(await status('Seccomp', ['--privileged']), '0');
  });

  test('an unknown capability is refused', async () => {
    const r = await dk(d, ['run', '--rm', '--cap-add', 'NOT_A_CAP', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NOT_A_CAP/i);
  });

  test('without CAP_SYS_ADMIN mount fails; --privileged can mount', async () => {
    const r = await dk(d, ['run', '--rm', 'busybox', 'mount', '-t', 'tmpfs', 'x', '/mnt']);
    assert.notEqual(r.code, 0, 'mount worked in an unprivileged container');
    assert.match(r.stderr, /permission denied|not permitted/i);
    await sh('mount -t tmpfs x /mnt && grep " /mnt tmpfs" /proc/mounts', ['--privileged']);
  });
});

describe('paths, seccomp, namespaces, devices', { concurrency: 4 }, () => {
  test('masked paths under /proc and /sys read empty', async () => {
    const out = await sh(
      'for f in /proc/kcore /proc/keys /proc/timer_list /proc/latency_stats /proc/sched_debug; do ' +
        '[ -e $f ] && echo "$f $(wc -c < $f)"; done; ' +
        'for dir in /proc/acpi /proc/scsi /sys/firmware; do [ -e $dir ] && echo "$dir $(ls -A $dir | wc -l)"; done; true',
    );
    const seen = lines(out);
    // This kernel may lack /proc/kcore; whichever of these exists must read empty.
    assert.ok(seen.length >= 3, `too few masked paths seen: ${out}`);
    for (const l of seen) assert.match(l, / 0$/, `not masked: ${l}`);
  });

  test('/proc/sys, /proc/sysrq-trigger and /sys are read-only', async () => {
    const out = await sh(
      'echo 1 > /proc/sys/vm/drop_caches 2>/dev/null; echo "sys=$?"; ' +
        'echo h > /proc/sysrq-trigger 2>/dev/null; echo "sysrq=$?"; ' +
        'touch /sys/x 2>/dev/null; echo "sysfs=$?"; ' +
        'grep -E " /proc/sys | /sys " /proc/mounts',
    );
    assert.match(out, /sys=1/);
    assert.match(out, /sysrq=1/);
    assert.match(out, /sysfs=1/);
    assert.match(out, / \/proc\/sys proc ro,/);
    assert.match(out, / \/sys sysfs ro,/);
  });

  test('seccomp is on by default and blocks unshare; seccomp=unconfined lifts it', async () => {
    assert.equal(await status('Seccomp'), '2');
    const blocked = await dk(d, ['run', '--rm', 'busybox', 'unshare', '-U', 'true']);
    assert.notEqual(blocked.code, 0, 'unshare of a user namespace worked under the default profile');
    assert.match(blocked.stderr, /not permitted/i);
    assert.equal(await status('Seccomp', ['--security-opt', 'seccomp=unconfined']), '0');
    await sh('unshare -U true', ['--security-opt', 'seccomp=unconfined']);
  });

  test('--security-opt no-new-privileges sets NoNewPrivs', async () => {
    assert.equal(await status('NoNewPrivs'), '0');
    assert.equal(await status('NoNewPrivs', ['--security-opt', 'no-new-privileges']), '1');
    assert.equal(await status('NoNewPrivs', ['--security-opt', 'no-new-privileges=true']), '1');
  });

  test('fresh pid, ipc, uts, mount and net namespaces; pid 1 is the command', async () => {
    const out = await sh(
      'echo $$; ps -o pid,comm > /tmp/ps; tail -n +2 /tmp/ps | wc -l; for n in pid ipc uts mnt net; do readlink /proc/self/ns/$n; done',
    );
    const [pid, nproc, ...ns] = lines(out);
    assert.equal(pid, '1');
    assert.equal(nproc, '2', 'only sh and ps are visible');
    for (const link of ns) {
      const kind = link.split(':')[0];
      assert.notEqual(link, readlinkSync(`/proc/self/ns/${kind}`), `${kind} namespace is the host's`);
    }
  });

  test('--network none: only lo', async () => {
    const out = await sh('tail -n +3 /proc/net/dev | cut -d: -f1', ['--network', 'none']);
    assert.deepEqual(
      lines(out).map((l) => l.trim()),
      ['lo'],
    );
    const def = await sh('tail -n +3 /proc/net/dev | cut -d: -f1');
    assert.ok(!lines(def).some((l) => /eth|ens|enp|wl/.test(l) && !l.includes('eth0')), `host interfaces seen: ${def}`);
  });

  test('/dev is minimal', async () => {
    const out = await sh('ls -A /dev');
    const have = new Set(lines(out));
    const needed = [
      'fd',
      'full',
      'mqueue',
      'null',
      'ptmx',
      'pts',
      'random',
      'shm',
      'stderr',
      'stdin',
      'stdout',
      'tty',
      'urandom',
      'zero',
    ];
    for (const n of needed) assert.ok(have.has(n), `/dev/${n} missing: ${out}`);
    const allowed = new Set([...needed, 'console', 'core']);
    const extra = [...have].filter((n) => !allowed.has(n));
    assert.deepEqual(extra, [], `host devices leaked into /dev: ${extra.join(' ')}`);
    assert.match(await sh('grep " /dev/shm " /proc/mounts'), / \/dev\/shm tmpfs rw,nosuid,nodev,noexec.*size=65536k/);
  });

  test('the device cgroup refuses a block device made with mknod', async () => {
    const out = await sh('mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda 2>&1; echo rc=$?');
    assert.match(out, /not permitted/i);
    assert.doesNotMatch(out, /rc=0/);
  });

  test('--device passes a host device in', async () => {
    const out = await sh('ls -l /dev/loop-test; head -c 4 /dev/loop-test | wc -c', [
      '--device',
      '/dev/zero:/dev/loop-test',
    ]);
    assert.match(out, /^c/);
    assert.match(out, /\n4\n$/);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilityMask, DEFAULT_CAPABILITIES, grantable, resolveCapabilities } from './capabilities-default.ts';
import { buildRlimits, hardLimits } from './limits.ts';
import { defaultSeccompProfile } from './seccomp-default.ts';
import { parseSeccompProfile } from './seccomp-profile.ts';
import { buildSpec, cgroupsPathFor } from './spec.ts';
import type { RuntimeSpecInput } from './spec-input.ts';

const base = (over: Partial<RuntimeSpecInput> = {}): RuntimeSpecInput => ({
  id: 'abc123',
  rootfs: '/tmp/r/rootfs',
  cgroupParent: '/berth-test',
  process: { args: ['sh'], env: ['PATH=/bin'], uid: 0, gid: 0 },
  ...over,
});

test('default capabilities have Docker mask a80425fb; drop ALL gives 0', () => {
  assert.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000a80425fb');
  assert.equal(capabilityMask(resolveCapabilities({ capDrop: ['ALL'] })), '0000000000000000');
  const spec = buildSpec(base());
  assert.equal(capabilityMask(spec.process.capabilities!.effective), '00000000a80425fb');
  assert.deepEqual(spec.process.capabilities!.inheritable, []);
});

test('cap-add and cap-drop follow Docker rules', () => {
  const caps = resolveCapabilities({ capAdd: ['net_admin'], capDrop: ['CAP_CHOWN', 'kill'] });
  assert.ok(caps.includes('CAP_NET_ADMIN'));
  assert.ok(!caps.includes('CAP_CHOWN'));
  assert.ok(!caps.includes('CAP_KILL'));
  assert.deepEqual(resolveCapabilities({ capDrop: ['ALL'], capAdd: ['NET_RAW'] }), ['CAP_NET_RAW']);
  // ALL is what this daemon may grant: its own bounding set (41 on a full host).
  assert.deepEqual(resolveCapabilities({ capAdd: ['ALL'] }), grantable());
  assert.ok(grantable().length >= 38);
  assert.equal(grantable('CapBnd:\t000001ffffffffff\n').length, 41);
  assert.throws(() => resolveCapabilities({ capAdd: ['NOPE'] }), /unknown capability/);
});

test('privileged: all caps, no seccomp, no masked paths, all devices', () => {
  const spec = buildSpec(base({ privileged: true }));
  assert.deepEqual(spec.process.capabilities!.effective, grantable());
  assert.equal(spec.linux.seccomp, undefined);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.equal(spec.linux.readonlyPaths, undefined);
  assert.deepEqual(spec.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(spec.linux.devices!.some((d) => d.path === '/dev/null'));
});

test('defaults: namespaces, masked paths, minimal /dev, no oomScoreAdj, cgroupsPath', () => {
  const spec = buildSpec(base());
  assert.deepEqual(
    spec.linux.namespaces.map((n) => n.type),
    ['mount', 'pid', 'ipc', 'uts', 'network'],
  );
  assert.ok(spec.linux.maskedPaths!.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths!.includes('/proc/sys'));
  assert.equal(spec.linux.cgroupsPath, '/berth-test/abc123');
  assert.equal('oomScoreAdj' in spec.process, false);
  const dests = spec.mounts.map((m) => m.destination);
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']) assert.ok(dests.includes(d), d);
  const shm = spec.mounts.find((m) => m.destination === '/dev/shm')!;
  assert.ok(shm.options!.includes(`size=${64 * 1024 * 1024}`));
  assert.equal(spec.hostname, 'abc123');
  assert.equal(spec.process.terminal, false);
  assert.equal(spec.root.readonly, false);
  assert.equal(spec.linux.resources!.devices![0]!.allow, false);
  assert.equal(spec.linux.seccomp!.defaultAction, 'SCMP_ACT_ALLOW');
  assert.equal(spec.process.rlimits, undefined);
  assert.throws(() => cgroupsPathFor('relative', 'x'), /invalid cgroup parent/);
});

test('process fields, hostname, readonly rootfs, netns path, shm size, sysctls', () => {
  const spec = buildSpec(
    base({
      process: {
        args: ['cat'],
        env: ['A=1'],
        cwd: '/tmp',
        uid: 65534,
        gid: 65534,
        additionalGids: [10, 10, 20],
        tty: true,
        consoleSize: { height: 24, width: 80 },
        noNewPrivileges: true,
      },
      hostname: 'box',
      readonlyRootfs: true,
      shmSize: 1 << 20,
      namespaces: { network: { path: '/run/netns/x' }, ipc: 'host' },
      sysctls: { 'net.ipv4.ip_forward': '1' },
    }),
  );
  assert.deepEqual(spec.process.user, { uid: 65534, gid: 65534, additionalGids: [10, 20] });
  assert.equal(spec.process.cwd, '/tmp');
  assert.equal(spec.process.terminal, true);
  assert.deepEqual(spec.process.consoleSize, { height: 24, width: 80 });
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.hostname, 'box');
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(
    spec.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network', path: '/run/netns/x' },
  );
  assert.equal(
    spec.linux.namespaces.some((n) => n.type === 'ipc'),
    false,
  );
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=1048576'));
  assert.deepEqual(spec.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  assert.throws(() => buildSpec(base({ process: { args: ['x'], env: [], uid: 0, gid: 0, cwd: 'rel' } })), /invalid/);
  assert.throws(() => buildSpec(base({ process: { args: [], env: [], uid: 0, gid: 0 } })), /no command/);
});

test('bind and tmpfs mounts', () => {
  const spec = buildSpec(
    base({
      mounts: [
        { type: 'bind', source: '/srv/data', target: '/data', readonly: true, propagation: 'rslave' },
        { type: 'tmpfs', target: '/run', size: 1 << 20, mode: 0o1777, options: ['exec'] },
        { type: 'tmpfs', target: '/dev/shm', size: 4096 },
      ],
    }),
  );
  const bind = spec.mounts.find((m) => m.destination === '/data')!;
  assert.deepEqual(bind, {
    destination: '/data',
    type: 'bind',
    source: '/srv/data',
    options: ['rbind', 'ro', 'rslave'],
  });
  const run = spec.mounts.find((m) => m.destination === '/run')!;
  assert.deepEqual(run.options, ['nosuid', 'nodev', 'size=1048576', 'mode=1777']);
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.throws(() => buildSpec(base({ mounts: [{ type: 'tmpfs', target: 'x' }] })), /absolute/);
});

test('resources: memory, swap, cpus, shares, cpuset, pids', () => {
  const spec = buildSpec(
    base({
      resources: { memory: 32 << 20, nanoCpus: 1.5e9, cpuShares: 512, cpusetCpus: '0', pidsLimit: 20 },
    }),
  );
  const r = spec.linux.resources!;
  assert.deepEqual(r.memory, { limit: 32 << 20, swap: 64 << 20 });
  assert.deepEqual(r.cpu, { period: 100000, quota: 150000, shares: 512, cpus: '0' });
  assert.deepEqual(r.pids, { limit: 20 });
  assert.deepEqual(buildSpec(base({ resources: { memory: 32 << 20, memorySwap: -1 } })).linux.resources!.memory, {
    limit: 32 << 20,
    swap: -1,
  });
  assert.throws(() => buildSpec(base({ resources: { memory: 1000 } })), /Minimum memory/);
  assert.throws(() => buildSpec(base({ resources: { memory: 32 << 20, memorySwap: 1 << 20 } })), /memoryswap/);
});

test('rlimits: none by default, never above the hard limit', () => {
  const limits = 'Max open files            1024                 20000                files     \n';
  const hard = hardLimits(limits);
  assert.equal(hard.get('nofile'), 20000);
  assert.deepEqual(buildRlimits([{ name: 'nofile', soft: 100, hard: 200 }], hard), [
    { type: 'RLIMIT_NOFILE', soft: 100, hard: 200 },
  ]);
  assert.throws(() => buildRlimits([{ name: 'nofile', soft: 100, hard: 30000 }], hard), /hard limit/);
  assert.throws(() => buildRlimits([{ name: 'bogus', soft: 1, hard: 1 }], hard), /invalid ulimit/);
  assert.ok(hardLimits().has('nofile'));
});

test('seccomp default blocks what Docker blocks, lifted by the matching capability', () => {
  const def = defaultSeccompProfile(DEFAULT_CAPABILITIES);
  const blocked = def.syscalls!.flatMap((s) => (s.args ? [] : s.names));
  for (const n of ['mount', 'unshare', 'setns', 'keyctl', 'reboot', 'kexec_load', 'bpf', 'acct']) {
    assert.ok(blocked.includes(n), n);
  }
  assert.ok(!blocked.includes('chroot'), 'chroot allowed with the default CAP_SYS_CHROOT');
  assert.ok(def.syscalls!.some((s) => s.names.includes('clone3') && s.errnoRet === 38));
  assert.ok(def.syscalls!.some((s) => s.names.includes('clone') && s.args?.[0]?.value === 0x10000000));
  const admin = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  const blockedAdmin = admin.syscalls!.flatMap((s) => s.names);
  assert.ok(!blockedAdmin.includes('mount'));
  assert.ok(!blockedAdmin.includes('clone'));
  assert.ok(blockedAdmin.includes('keyctl'));
  assert.equal(buildSpec(base({ seccomp: { mode: 'unconfined' } })).linux.seccomp, undefined);
});

test('custom seccomp profile in Docker form', () => {
  const json = JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { name: 'arch_prctl', action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
    ],
  });
  const p = parseSeccompProfile(json, DEFAULT_CAPABILITIES);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  assert.deepEqual(
    p.syscalls!.map((s) => s.names),
    [['read', 'write'], ['arch_prctl']],
  );
  const spec = buildSpec(base({ seccomp: { mode: 'profile', json } }));
  assert.equal(spec.linux.seccomp!.defaultAction, 'SCMP_ACT_ERRNO');
  assert.throws(() => parseSeccompProfile('{', []), /not valid JSON/);
});

test('--device entries are looked up on the host', () => {
  const spec = buildSpec(
    base({ devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', permissions: 'rw' }] }),
  );
  assert.deepEqual(spec.linux.devices![0]!.path, '/dev/mynull');
  assert.equal(spec.linux.devices![0]!.major, 1);
  assert.equal(spec.linux.devices![0]!.minor, 3);
  assert.ok(spec.linux.resources!.devices!.some((d) => d.major === 1 && d.minor === 3 && d.access === 'rw'));
  assert.throws(() => buildSpec(base({ devices: [{ pathOnHost: '/nonexistent' }] })), /device/);
});

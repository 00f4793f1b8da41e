import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRequest,
  parseBytes,
  parseDevice,
  parseDuration,
  parseMount,
  parsePublish,
  parseRestart,
  parseUlimit,
} from './run-flags/index.ts';

test('sizes and durations as docker parses them', () => {
  assert.equal(parseBytes('32m'), 32 * 1024 * 1024);
  assert.equal(parseBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('512KB'), 512 * 1024);
  assert.equal(parseBytes('100'), 100);
  assert.throws(() => parseBytes('lots'), /invalid size/);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('500ms'), 5e8);
  assert.throws(() => parseDuration('5'), /invalid duration/);
});

test('restart, ulimit, device, mount', () => {
  assert.deepEqual(parseRestart('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.throws(() => parseRestart('always:3'), /on-failure/);
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseDevice('/dev/fuse:rw'), {
    PathOnHost: '/dev/fuse',
    PathInContainer: '/dev/fuse',
    CgroupPermissions: 'rw',
  });
  assert.deepEqual(parseMount('type=bind,src=/a,dst=/b,readonly'), {
    Type: 'bind',
    Source: '/a',
    Target: '/b',
    ReadOnly: true,
  });
  assert.throws(() => parseMount('type=bind,src=/a'), /target is required/);
});

test('ports: host ip, ranges, protocols', () => {
  const exposed: Record<string, object> = {};
  const b: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> = {};
  parsePublish(['127.0.0.1:8080:80', '53/udp', '9000-9001:7000-7001'], exposed, b);
  assert.deepEqual(Object.keys(exposed).sort(), ['53/udp', '7000/tcp', '7001/tcp', '80/tcp']);
  assert.deepEqual(b['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8080' }]);
  assert.deepEqual(b['7001/tcp'], [{ HostIp: '', HostPort: '9001' }]);
  assert.deepEqual(b['53/udp'], [{ HostIp: '', HostPort: '' }]);
});

test('createRequest: attach flags, StdinOnce, healthcheck, --rm with --restart', () => {
  const { body, name } = createRequest('busybox', ['sh'], {
    interactive: true,
    tty: true,
    name: 'x',
    healthCmd: 'true',
    healthInterval: '2s',
  });
  assert.equal(name, 'x');
  assert.equal(body.AttachStdin, true);
  assert.equal(body.StdinOnce, true);
  assert.equal(body.Tty, true);
  assert.deepEqual(body.Cmd, ['sh']);
  assert.deepEqual(body.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 2e9 });
  const det = createRequest('busybox', [], { detach: true, interactive: true, memory: '32m', cpus: '1.5' }).body;
  assert.equal(det.AttachStdin, false);
  assert.equal(det.AttachStdout, false);
  assert.equal(det.OpenStdin, true);
  assert.equal(det.Cmd, null);
  assert.equal(det.HostConfig?.Memory, 32 * 1024 * 1024);
  assert.equal(det.HostConfig?.NanoCpus, 1.5e9);
  assert.throws(() => createRequest('busybox', [], { rm: true, restart: 'always' }), /--restart and --rm/);
});

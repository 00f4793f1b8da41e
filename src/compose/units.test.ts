import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePort, parseVolume } from './canonical.ts';
import { formatDuration, parseDuration, parseSize, shellSplit } from './units.ts';

test('durations', () => {
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('250ms'), 250e6);
  assert.equal(parseDuration('1h'), 3600e9);
  assert.equal(parseDuration('10'), 10e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.equal(parseDuration('abc'), undefined);
  assert.equal(parseDuration('10x'), undefined);
  assert.equal(formatDuration(90e9), '1m30s');
  assert.equal(formatDuration(2e9), '2s');
});

test('sizes', () => {
  assert.equal(parseSize('512m'), 512 * 1024 * 1024);
  assert.equal(parseSize('1g'), 1024 ** 3);
  assert.equal(parseSize('1GB'), 1024 ** 3);
  assert.equal(parseSize('100'), 100);
  assert.equal(parseSize(7), 7);
  assert.equal(parseSize('lots'), undefined);
});

test('shell words', () => {
  assert.deepEqual(shellSplit(`sh -c 'echo "hi there"' x\\ y "a\\"b"`), ['sh', '-c', 'echo "hi there"', 'x y', 'a"b']);
  assert.deepEqual(shellSplit('  '), []);
  assert.deepEqual(shellSplit(`''`), ['']);
  assert.throws(() => shellSplit(`'open`));
});

test('ports: short syntax', () => {
  assert.deepEqual(parsePort(80, []), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePort('8080:80/udp', []), [{ mode: 'ingress', target: 80, published: '8080', protocol: 'udp' }]);
  assert.deepEqual(parsePort('127.0.0.1:8080:80', []), [
    { mode: 'ingress', target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' },
  ]);
  assert.deepEqual(parsePort('[::1]:6000:6000', [])[0].host_ip, '::1');
  assert.deepEqual(
    parsePort('9090-9091:8080-8081', []).map((p) => `${p.published}:${p.target}`),
    ['9090:8080', '9091:8081'],
  );
  assert.deepEqual(
    parsePort('3000-3001', []).map((p) => p.target),
    [3000, 3001],
  );
  assert.equal(parsePort('8000-8010:80', [])[0].published, '8000-8010');
  assert.throws(() => parsePort('1-3:1-2', ['ports', 0]), /ranges differ/);
  assert.throws(() => parsePort('a:b', []), /invalid port/);
});

test('volumes: short syntax', () => {
  assert.deepEqual(parseVolume('/data', []), { type: 'volume', target: '/data' });
  assert.deepEqual(parseVolume('db:/var/lib/db:ro', []), {
    type: 'volume',
    source: 'db',
    target: '/var/lib/db',
    read_only: true,
  });
  assert.deepEqual(parseVolume('./src:/src:rw,z', []), {
    type: 'bind',
    source: './src',
    target: '/src',
    read_only: false,
    bind: { create_host_path: true, selinux: 'z' },
  });
  assert.throws(() => parseVolume('db:/x:bogus', ['volumes', 0]), /unknown mode "bogus"/);
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CgroupLayout, detectCgroupLayout, runtimeSupport } from './cgroups.ts';
import { parseBlkioV1, parseIoStat, readCgroupStats } from './stats.ts';

const HYBRID = `
30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const UNIFIED = '30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';

test('layout detection: hybrid, unified, legacy', () => {
  const h = detectCgroupLayout(HYBRID);
  assert.equal(h.kind, 'hybrid');
  assert.equal(h.v1.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(h.v1.get('cpu'), '/sys/fs/cgroup/cpu');
  assert.equal(h.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(h.v2, '/sys/fs/cgroup/unified');
  assert.equal(detectCgroupLayout(UNIFIED).kind, 'unified');
  assert.equal(detectCgroupLayout(HYBRID.split('\n').slice(0, 4).join('\n')).kind, 'legacy');
  const here = detectCgroupLayout();
  console.log(`# this host: ${here.kind}, v2 controllers: [${here.v2Controllers.join(' ')}]`);
});

test('crun refuses hybrid with controllers in cgroup2; runc does not mind', () => {
  const bins = { crun: '/bin/sh', runc: '/bin/sh' };
  const layout: CgroupLayout = {
    kind: 'hybrid',
    v1: new Map([['memory', '/x']]),
    v2: '/u',
    v2Controllers: ['hugetlb'],
  };
  const s = runtimeSupport(layout, bins);
  assert.equal(s.crun.ok, false);
  assert.match(s.crun.reason!, /hybrid.*hugetlb/);
  assert.equal(s.runc.ok, true);
  assert.equal(runtimeSupport({ ...layout, v2Controllers: [] }, bins).crun.ok, true);
  assert.equal(runtimeSupport({ ...layout, kind: 'unified' }, bins).crun.ok, true);
  assert.equal(runtimeSupport(layout, { crun: '/nonexistent', runc: '/bin/sh' }).crun.ok, false);
  const here = runtimeSupport();
  console.log(`# this host: crun ${here.crun.ok ? 'ok' : `refused: ${here.crun.reason}`}; runc ${here.runc.ok}`);
});

test('cgroup v2 stats in the Docker shape', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-cg2-'));
  try {
    const dir = join(root, 'berth-x', 'c1');
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      'memory.current': '1048576\n',
      'memory.max': '33554432\n',
      'memory.peak': '2097152\n',
      'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
      'memory.stat': 'anon 4096\nfile 8192\n',
      'cpu.stat':
        'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 2\nthrottled_usec 70\n',
      'pids.current': '3\n',
      'pids.max': '20\n',
      'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n',
    };
    for (const [f, t] of Object.entries(files)) writeFileSync(join(dir, f), t);
    const layout: CgroupLayout = { kind: 'unified', v1: new Map(), v2: root, v2Controllers: [] };
    const s = readCgroupStats('/berth-x/c1', undefined, layout);
    assert.deepEqual(s.memory_stats, {
      usage: 1048576,
      limit: 33554432,
      failcnt: 1,
      max_usage: 2097152,
      stats: { anon: 4096, file: 8192 },
    });
    assert.equal(s.cpu_stats.cpu_usage.total_usage, 1_500_000);
    assert.equal(s.cpu_stats.cpu_usage.usage_in_usermode, 1_000_000);
    assert.deepEqual(s.cpu_stats.throttling_data, { periods: 10, throttled_periods: 2, throttled_time: 70_000 });
    assert.deepEqual(s.pids_stats, { current: 3, limit: 20 });
    assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [
      { major: 8, minor: 0, op: 'read', value: 4096 },
      { major: 8, minor: 0, op: 'write', value: 8192 },
    ]);
    assert.ok(s.cpu_stats.system_cpu_usage > 0);
    assert.ok(s.cpu_stats.online_cpus >= 1);
    const s2 = readCgroupStats('/berth-x/c1', s, layout);
    assert.equal(s2.preread, s.read);
    assert.deepEqual(s2.precpu_stats, s.cpu_stats);
    writeFileSync(join(dir, 'memory.max'), 'max\n');
    assert.ok(readCgroupStats('/berth-x/c1', undefined, layout).memory_stats.limit! < Number.POSITIVE_INFINITY);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('blkio parsers', () => {
  assert.deepEqual(parseBlkioV1('8:0 Read 10\n8:0 Write 20\nTotal 30\n'), [
    { major: 8, minor: 0, op: 'Read', value: 10 },
    { major: 8, minor: 0, op: 'Write', value: 20 },
  ]);
  assert.equal(parseIoStat('').bytes.length, 0);
});

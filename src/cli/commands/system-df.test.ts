import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dfRows } from './system-df.ts';

test('dfRows: active items, sizes and reclaimable space as docker computes them', () => {
  const rows = dfRows({
    LayersSize: 10_000_000,
    Images: [
      { Size: 6_000_000, SharedSize: 1_000_000, Containers: 2 },
      { Size: 4_000_000, SharedSize: 1_000_000, Containers: 0 },
    ],
    Containers: [{ State: 'running', SizeRw: 3000 }, { State: 'exited', SizeRw: 1000 }, { State: 'created' }],
    Volumes: [
      { UsageData: { Size: 2048, RefCount: 1 } },
      { UsageData: { Size: 2048, RefCount: 0 } },
      { UsageData: { Size: -1, RefCount: -1 } },
    ],
    BuildCache: [
      { Size: 500, InUse: false },
      { Size: 700, InUse: true },
      { Size: 900, Shared: true },
    ],
  });
  assert.deepEqual(rows, [
    { Type: 'Images', TotalCount: '2', Active: '1', Size: '10MB', Reclaimable: '5MB (50%)' },
    { Type: 'Containers', TotalCount: '3', Active: '1', Size: '4kB', Reclaimable: '1kB (25%)' },
    { Type: 'Local Volumes', TotalCount: '3', Active: '1', Size: '4.096kB', Reclaimable: '2.048kB (50%)' },
    { Type: 'Build Cache', TotalCount: '3', Active: '1', Size: '1.2kB', Reclaimable: '500B' },
  ]);
});

test('dfRows: an empty daemon (null lists) gives zero rows, no percentages', () => {
  const rows = dfRows({ LayersSize: 0, Images: null, Containers: null, Volumes: null, BuildCache: null });
  assert.deepEqual(
    rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
    [
      ['Images', '0', '0', '0B', '0B'],
      ['Containers', '0', '0', '0B', '0B'],
      ['Local Volumes', '0', '0', '0B', '0B'],
      ['Build Cache', '0', '0', '0B', '0B'],
    ],
  );
});

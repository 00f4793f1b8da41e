/**
 * `berth registry serve` (bin/berth: the CommonJS bundle and its V8 flags)
 * streams blobs in and out through reused buffers: the bytes come back
 * whole (and by range), and the process does not grow with what it streamed.
 */
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, pushBlob, req, startRegistryProcess } from './helpers.ts';

const MiB = 1024 * 1024;

async function rssMiB(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1]) / 1024;
}

test('berth registry streams 4 × 24 MiB blobs in and out with flat memory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-mem-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = await startRegistryProcess(dir, port);
  try {
    await pushBlob(base, 'mem/test', 'warm-up');
    const before = await rssMiB(child.pid!);
    const blob = Buffer.allocUnsafe(24 * MiB + 5);
    for (let i = 0; i < 4; i++) {
      randomFillSync(blob);
      const d = await pushBlob(base, 'mem/test', blob);
      const whole = await req(base, 'GET', `/v2/mem/test/blobs/${d}`);
      assert.equal(whole.status, 200);
      assert.ok(whole.body.equals(blob), 'the blob comes back whole');
      const part = await req(base, 'GET', `/v2/mem/test/blobs/${d}`, {
        headers: { Range: `bytes=${MiB - 3}-${2 * MiB + 2}` },
      });
      assert.equal(part.status, 206);
      assert.ok(part.body.equals(blob.subarray(MiB - 3, 2 * MiB + 3)), 'a range across two chunks');
    }
    const after = await rssMiB(child.pid!);
    // Without reused buffers and the collection of dead chunks, 96 MiB in and out grew it by 60–90 MiB.
    assert.ok(after - before < 32, `RSS grew from ${before.toFixed(1)} to ${after.toFixed(1)} MiB`);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

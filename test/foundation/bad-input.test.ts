/**
 * Issue 2: bad input gets a clear error and leaves the store as it was —
 * the same `docker images`, no new blobs, no new snapshots, no ingest left,
 * nothing written outside the rootfs. And `kill -9` in the middle of a large
 * load, then a restart: the store is as before and the partial ingest is
 * collected.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerArchive, listTree, makeTar, sha256, storeListing, type TestEntry } from './archive.ts';

let d: TestDaemon;
/** A directory outside every rootfs that hostile layers aim at; must stay empty. */
let outside: string;

interface StoreState {
  images: string;
  blobs: string[];
  snapshots: string[];
}

function alive(): void {
  if (d.proc.exitCode !== null || d.proc.signalCode !== null)
    assert.fail(`berthd died (${d.proc.exitCode ?? d.proc.signalCode}); its log ends:\n${d.log().slice(-3000)}`);
  if (!existsSync(d.socket))
    assert.fail(
      `berthd's socket ${d.socket} is gone; dir has ${readdirSync(d.dir)}; log ends:\n${d.log().slice(-3000)}`,
    );
}

function state(): StoreState {
  alive();
  const r = d.docker(['images', '-a', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  assert.equal(r.code, 0, r.stderr);
  return { images: r.stdout.split('\n').sort().join('\n'), ...storeListing(d.dataRoot) };
}

function ingestEntries(): string[] {
  return listTree(join(d.dataRoot, 'content/ingest'));
}

/** Runs docker with `args` and `input`, expects failure with `re`, and the store unchanged. */
async function refused(args: string[], input: Buffer, re: RegExp): Promise<string> {
  const before = state();
  const r = await d.dockerAsync(args, { input });
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail; stdout: ${r.stdout}`);
  const msg = r.stderr + r.stdout;
  assert.match(msg, re);
  assert.doesNotMatch(msg, /\n\s+at /, 'no stack trace in the error');
  assert.deepEqual(state(), before, 'the store is as it was');
  assert.deepEqual(ingestEntries(), [], 'no ingest left behind');
  assert.deepEqual(readdirSync(outside), [], 'nothing written outside the rootfs');
  return msg;
}

/** A docker-archive with one image whose only layer is `entries`. */
async function archiveWithLayer(entries: TestEntry[], tag: string): Promise<Buffer> {
  return (await dockerArchive([{ tags: [tag], layers: [await makeTar(entries)] }])).tar;
}

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  outside = mkdtempSync('/tmp/berth-outside-');
});

after(async () => {
  await d?.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe('bad input leaves the store as it was', () => {
  test('a truncated tar to docker load', async () => {
    const good = await archiveWithLayer([{ name: 'big.bin', content: randomBytes(256 * 1024) }], 'trunc/load:1');
    await refused(['load'], good.subarray(0, Math.floor(good.length / 2)), /unexpected end|truncated|invalid/i);
    // Cut inside a header block, too.
    await refused(['load'], good.subarray(0, 512 + 100), /unexpected end|truncated|invalid/i);
  });

  test('a truncated tar to docker import', async () => {
    const good = await makeTar([
      { name: 'a.bin', content: randomBytes(128 * 1024) },
      { name: 'b.txt', content: 'b' },
    ]);
    await refused(['import', '-', 'trunc/import:1'], good.subarray(0, 70_000), /unexpected end|truncated|invalid/i);
  });

  test('garbage (not a tar) to docker load and docker import', async () => {
    const junk = randomBytes(4096);
    await refused(['load'], junk, /invalid|archive|tar|unexpected/i);
    await refused(['import', '-', 'junk:1'], junk, /invalid|archive|tar|unexpected|unsupported/i);
  });

  test('a layer with ../ entries', async () => {
    const up = '../'.repeat(20);
    const evil = `${up}${outside.slice(1)}/pwned`;
    await refused(
      ['load'],
      await archiveWithLayer(
        [
          { name: 'ok.txt', content: 'fine' },
          { name: evil, content: 'escaped' },
        ],
        'evil/dotdot:1',
      ),
      /escape|outside|invalid/i,
    );
    await refused(
      ['import', '-', 'evil/dotdot-import:1'],
      await makeTar([{ name: 'a/../../x', content: 'x' }]),
      /escape|outside|invalid/i,
    );
  });

  test('an absolute symlink pointing outside, then a file written through it', async () => {
    await refused(
      ['load'],
      await archiveWithLayer(
        [
          { name: 'link', type: 'symlink', linkname: outside },
          { name: 'link/pwned', content: 'through an absolute symlink' },
        ],
        'evil/abs:1',
      ),
      /symlink|outside|invalid/i,
    );
  });

  test('a relative symlink pointing outside, then a file written through it', async () => {
    const rel = `${'../'.repeat(20)}${outside.slice(1)}`;
    await refused(
      ['load'],
      await archiveWithLayer(
        [
          { name: 'dir/', type: 'directory' },
          { name: 'dir/link', type: 'symlink', linkname: rel },
          { name: 'dir/link/pwned', content: 'through a relative symlink' },
        ],
        'evil/rel:1',
      ),
      /symlink|outside|invalid/i,
    );
    await refused(
      ['import', '-', 'evil/rel-import:1'],
      await makeTar([
        { name: 'l', type: 'symlink', linkname: '../../..' },
        { name: `l/${outside.slice(1)}/pwned`, content: 'x' },
      ]),
      /symlink|outside|invalid/i,
    );
  });

  test('a hardlink to a path outside', async () => {
    const secret = join(outside, '..', `berth-secret-${process.pid}`);
    writeFileSync(secret, 'secret');
    try {
      for (const linkname of [secret, `${'../'.repeat(20)}${secret.slice(1)}`, '../outside-file']) {
        await refused(
          ['load'],
          await archiveWithLayer([{ name: 'stolen', type: 'link', linkname }], 'evil/hardlink:1'),
          /link|outside|escape|invalid|not found|no such/i,
        );
      }
      assert.equal(statSync(secret).nlink, 1, 'no new link to the outside file');
    } finally {
      rmSync(secret, { force: true });
    }
  });

  test('a docker-archive whose layer does not match its digest (config diff_ids)', async () => {
    const layer = await makeTar([{ name: 'real.txt', content: 'real' }]);
    const other = await makeTar([{ name: 'claimed.txt', content: 'claimed' }]);
    const a = await dockerArchive([{ tags: ['liar:1'], layers: [layer], diffIds: [`sha256:${sha256(other)}`] }]);
    const msg = await refused(['load'], a.tar, /digest|does not match/i);
    assert.match(msg, /does not match/);
  });
});

describe('kill -9 in the middle of a load', () => {
  test('restart: images as before, the partial ingest is collected', async () => {
    const layer = await makeTar([{ name: 'random.bin', content: randomBytes(100 * 1024 * 1024) }]);
    const archive = (await dockerArchive([{ tags: ['big/random:1'], layers: [layer] }])).tar;
    const file = join(d.dir, 'big.tar');
    writeFileSync(file, archive);
    const before = state();
    const load = d.dockerAsync(['load', '-i', file], { timeoutMs: 120_000 });
    const ingestDir = join(d.dataRoot, 'content/ingest');
    const sizeOfIngest = () => {
      let n = 0;
      for (const rel of listTree(ingestDir)) {
        try {
          const s = statSync(join(ingestDir, rel));
          if (s.isFile()) n += s.size;
        } catch {}
      }
      return n;
    };
    const deadline = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = sizeOfIngest();
      if (seen > 8 * 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(seen > 8 * 1024 * 1024, `the load never got going (ingest ${seen} bytes)`);
    await d.stop('SIGKILL');
    const r = await load;
    assert.notEqual(r.code, 0, 'the client sees the load fail');
    await d.restart();
    assert.deepEqual(state(), before, 'the store is as it was');
    // The partial ingest is collected (at start-up, or by the first gc).
    const end = Date.now() + 10_000;
    while (ingestEntries().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ingestEntries(), [], 'content/ingest is empty');
    // The store still works: the same archive loads now.
    const again = await d.dockerAsync(['load', '-i', file], { timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Loaded image: big\/random:1/);
    assert.deepEqual(ingestEntries(), []);
    rmSync(file);
  });
});

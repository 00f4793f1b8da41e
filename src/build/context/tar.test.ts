import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, link, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';
import { compileIgnore, type IgnoreMatcher } from './ignore.ts';
import { contextTar } from './tar.ts';

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  linkname?: string;
  body: string;
}

async function list(stream: Readable): Promise<Entry[]> {
  const extract = tar.extract();
  const out: Entry[] = [];
  const done = (async () => {
    for await (const e of extract) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      const h = e.header;
      out.push({
        name: h.name,
        type: h.type,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        mtime: h.mtime.getTime(),
        size: h.size,
        linkname: h.linkname ?? undefined,
        body: h.size < 100 ? Buffer.concat(chunks).toString() : `<${Buffer.concat(chunks).length} bytes>`,
      });
    }
  })();
  stream.on('error', (e) => extract.destroy(e));
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

let dir: string;
const MTIME = new Date('2021-02-03T04:05:06Z');

before(() => {
  dir = mkdtempSync('/tmp/berth-ctx-');
  const big = Buffer.alloc(2 * 1024 * 1024, 7);
  const file = (rel: string, content: string | Buffer, mode = 0o644) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
    chmodSync(join(dir, rel), mode);
  };
  file('Dockerfile', 'FROM scratch\n');
  file('.dockerignore', 'Dockerfile\n.dockerignore\nbig\n*.log\nnode_modules\n!node_modules/keep.txt\n**/*.tmp\n');
  file('big/a.bin', big);
  file('big/deep/b.bin', big);
  file('node_modules/pkg/index.js', big);
  file('node_modules/keep.txt', 'keep');
  file('app.log', big);
  file('src/main.sh', '#!/bin/sh\n', 0o755);
  file('src/cache.tmp', big);
  file('src/sub/x.tmp', 'x');
  file('src/sub/y.txt', 'y');
  file('empty', '');
  utimesSync(join(dir, 'src/main.sh'), MTIME, MTIME);
  symlinkSync('main.sh', join(dir, 'src/link'));
  symlinkSync('/nowhere', join(dir, 'dangling'));
  execFileSync('mkfifo', [join(dir, 'src/fifo')]);
  chmodSync(join(dir, 'src/sub'), 0o750);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the context tar holds only what .dockerignore does not exclude, plus the Dockerfile and .dockerignore', async () => {
  await promisify(link)(join(dir, 'src/main.sh'), join(dir, 'src/hard.sh'));
  try {
    const entries = await list(contextTar(dir));
    assert.deepEqual(
      entries.map((e) => `${e.type} ${e.name}`),
      [
        'file .dockerignore',
        'file Dockerfile',
        'symlink dangling',
        'file empty',
        'file node_modules/keep.txt',
        'directory src/',
        'fifo src/fifo',
        'file src/hard.sh',
        'symlink src/link',
        'link src/main.sh',
        'directory src/sub/',
        'file src/sub/y.txt',
      ],
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const e of entries) {
      assert.equal(e.uid, 0);
      assert.equal(e.gid, 0);
    }
    assert.equal(byName.get('src/hard.sh')!.mode, 0o755);
    assert.equal(byName.get('src/hard.sh')!.mtime, MTIME.getTime());
    assert.equal(byName.get('src/hard.sh')!.body, '#!/bin/sh\n');
    assert.equal(byName.get('src/main.sh')!.linkname, 'src/hard.sh');
    assert.equal(byName.get('src/link')!.linkname, 'main.sh');
    assert.equal(byName.get('dangling')!.linkname, '/nowhere');
    assert.equal(byName.get('src/sub/')!.mode, 0o750);
    assert.equal(byName.get('Dockerfile')!.body, 'FROM scratch\n');
    assert.equal(byName.get('node_modules/keep.txt')!.body, 'keep');
    assert.equal(byName.get('empty')!.size, 0);
    const bytes = entries.reduce((n, e) => n + e.size, 0);
    assert.ok(bytes < 1024, `only small files are sent, got ${bytes} bytes`);
  } finally {
    rmSync(join(dir, 'src/hard.sh'));
  }
});

test('excluded directories without a possible exception are not walked', async () => {
  const inner = compileIgnore('big\nnode_modules\n!node_modules/keep.txt\nsrc');
  const asked: string[] = [];
  const spy = Object.assign((p: string, d: boolean) => {
    asked.push(p);
    return inner(p, d);
  }, inner) as IgnoreMatcher;
  spy.mayReinclude = inner.mayReinclude;
  const entries = await list(contextTar(dir, { ignore: spy }));
  assert.ok(asked.includes('big'));
  assert.deepEqual(
    asked.filter((p) => p.startsWith('big/') || p.startsWith('src/')),
    [],
  );
  assert.ok(asked.includes('node_modules/pkg'), 'node_modules is walked: an exception points inside');
  assert.ok(!asked.includes('node_modules/pkg/index.js'), 'but not node_modules/pkg');
  assert.deepEqual(
    entries.map((e) => e.name),
    ['.dockerignore', 'Dockerfile', 'app.log', 'dangling', 'empty', 'node_modules/keep.txt'],
  );
});

test('a Dockerfile in an excluded directory is still sent; extra files are appended', async () => {
  mkdirSync(join(dir, 'docker'));
  writeFileSync(join(dir, 'docker/Dockerfile.dev'), 'FROM x\n');
  writeFileSync(join(dir, 'docker/other'), 'no');
  try {
    const entries = await list(
      contextTar(dir, {
        ignore: '*\n',
        dockerfile: './docker/Dockerfile.dev',
        extraFiles: [{ name: '.dockerfile.abc', content: 'FROM y\n' }],
      }),
    );
    assert.deepEqual(
      entries.map((e) => `${e.name}=${e.body}`),
      ['.dockerignore=' + entries[0].body, 'docker/Dockerfile.dev=FROM x\n', '.dockerfile.abc=FROM y\n'],
    );
  } finally {
    rmSync(join(dir, 'docker'), { recursive: true });
  }
});

test('a context directory that does not exist makes the stream fail', async () => {
  await assert.rejects(list(contextTar(join(dir, 'missing'), { ignore: '' })), /ENOENT/);
});

test('large files stream whole, with backpressure', async () => {
  const big = mkdtempSync('/tmp/berth-ctx-big-');
  try {
    writeFileSync(join(big, 'blob'), Buffer.alloc(5 * 1024 * 1024 + 3, 1));
    const entries = await list(contextTar(big, { ignore: '' }));
    assert.deepEqual(
      entries.map((e) => [e.name, e.size, e.body]),
      [['blob', 5 * 1024 * 1024 + 3, `<${5 * 1024 * 1024 + 3} bytes>`]],
    );
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainIds, type Digest, digestOf } from '../../lib/digest.ts';
import type { ImageConfig } from '../../oci/image.ts';
import { FsContentStore } from '../../store/content.ts';
import { Database } from '../../store/db.ts';
import { EventBus } from '../events.ts';
import { ImageService } from './image-service.ts';
import { ImageRecords } from './records.ts';

let base: string;
let db: Database;
let content: FsContentStore;
let svc: ImageService;
/** Blob reads since the last reset: a listing must make none. */
let reads = 0;

function config(n: number, labels?: Record<string, string>): ImageConfig {
  return {
    architecture: 'amd64',
    os: 'linux',
    created: new Date(Date.UTC(2024, 0, 1 + n)).toISOString(),
    config: { Cmd: ['sh'], ...(labels ? { Labels: labels } : {}) },
    rootfs: { type: 'layers', diff_ids: [digestOf(`layer ${n}`)] },
  } as ImageConfig;
}

async function add(n: number, tags: string[], labels?: Record<string, string>) {
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(`layer ${n}`), size: 10 };
  return svc.create({
    config: config(n, labels),
    layers: [{ descriptor: layer, diffId: layer.digest, uncompressedSize: 100 + n }],
    tags,
  });
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-images-'));
  db = new Database(join(base, 'meta.db'));
  content = await new FsContentStore(join(base, 'content')).init();
  const read = content.readBytes.bind(content);
  content.readBytes = (d: Digest) => {
    reads++;
    return read(d);
  };
  svc = new ImageService(new ImageRecords(db), content, new EventBus());
  await add(1, ['a/one:1'], { tier: 'web' });
  await add(2, ['b/two:1', 'b/two:latest'], { tier: 'db' });
  await add(3, []);
});

after(async () => {
  db.close();
  await rm(base, { recursive: true, force: true });
});

describe('image list from stored summaries', () => {
  it('lists newest first with Docker’s fields, reading no blob', async () => {
    reads = 0;
    const list = await svc.list(new Map());
    assert.equal(reads, 0);
    assert.deepEqual(
      list.map((i) => i.RepoTags),
      [[], ['b/two:1', 'b/two:latest'], ['a/one:1']],
    );
    const one = list[2];
    assert.equal(one.Created, Date.UTC(2024, 0, 2) / 1000);
    assert.deepEqual(one.Labels, { tier: 'web' });
    assert.equal(one.Size, 101);
    assert.equal(one.SharedSize, -1);
    assert.equal(one.Containers, -1, 'a list does not count containers (as Docker)');
    assert.deepEqual(list[0].Labels, {});
  });

  it('counts containers when asked (system df)', async () => {
    svc.setUsage((id) => ({ running: [], stopped: id === svc.get('a/one:1').id ? ['c1'] : [] }));
    const list = await svc.list(new Map(), { countContainers: true });
    assert.deepEqual(
      list.map((i) => i.Containers),
      [0, 0, 1],
    );
    svc.setUsage(() => ({ running: [], stopped: [] }));
  });

  it('filters on the summaries: label, dangling, reference, before, since', async () => {
    const names = async (f: Record<string, string[]>) =>
      (await svc.list(new Map(Object.entries(f)))).map((i) => i.RepoTags.join(',') || '<none>');
    assert.deepEqual(await names({ label: ['tier=db'] }), ['b/two:1,b/two:latest']);
    assert.deepEqual(await names({ label: ['tier'] }), ['b/two:1,b/two:latest', 'a/one:1']);
    assert.deepEqual(await names({ dangling: ['true'] }), ['<none>']);
    assert.deepEqual(await names({ reference: ['b/*:latest'] }), ['b/two:latest']);
    assert.deepEqual(await names({ before: ['b/two:1'] }), ['a/one:1']);
    assert.deepEqual(await names({ since: ['a/one:1'] }), ['<none>', 'b/two:1,b/two:latest']);
  });

  it('fills the summary of a row from before schema v2 once, from the config', async () => {
    const rec = svc.get('a/one:1');
    db.prepare('UPDATE images SET summary = NULL WHERE id = ?').run(rec.id);
    const fresh = new ImageService(new ImageRecords(db), content, new EventBus());
    reads = 0;
    const list = await fresh.list(new Map([['label', ['tier=web']]]));
    assert.equal(reads, 1);
    assert.equal(list[0].Id, rec.id);
    assert.equal(list[0].Created, Date.UTC(2024, 0, 2) / 1000);
    reads = 0;
    await fresh.list(new Map());
    assert.equal(reads, 0, 'the filled summary is stored');
  });

  it('keeps the unfiltered JSON until a tag, an untag, a new image or a removal changes it', async () => {
    const names = async () =>
      (JSON.parse(await svc.listJson()) as Array<{ RepoTags: string[] }>).map((i) => i.RepoTags);
    const first = await svc.listJson();
    assert.equal(await svc.listJson(), first, 'the same string while nothing changed');
    svc.tag('a/one:1', 'c/three', 'x');
    assert.deepEqual((await names())[2], ['a/one:1', 'c/three:x']);
    svc.remove('c/three:x');
    assert.deepEqual((await names())[2], ['a/one:1']);
    const four = await add(4, ['d/four:1']);
    assert.deepEqual((await names())[0], ['d/four:1']);
    svc.remove(four.id);
    assert.equal((await names()).length, 3);
    assert.equal(await svc.listJson(), first);
  });

  it('gives the GC each image’s top chain ID', async () => {
    const keys = await svc.snapshotKeys();
    assert.equal(keys.length, 3);
    assert.ok(keys.includes(chainIds([digestOf('layer 2')])[0]));
  });
});

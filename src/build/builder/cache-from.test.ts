import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LayerInput } from '../../engine/images/image-service.ts';
import { type Digest, digestOf } from '../../lib/digest.ts';
import { MediaType } from '../../oci/media-types.ts';
import { FsContentStore } from '../../store/content.ts';
import { cacheKey } from './cache.ts';
import { CacheSources } from './cache-from.ts';
import { cacheComment, deriveState, historyEntry, keysOf } from './derive.ts';
import { type BuildState, storeState } from './state.ts';

let dir: string;
let content: FsContentStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cache-from-'));
  content = await new FsContentStore(join(dir, 'content')).init();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const layer = (name: string): LayerInput => {
  const d = digestOf(name) as Digest;
  return { descriptor: { mediaType: MediaType.OciLayer, digest: d, size: 10 }, diffId: d, uncompressedSize: 10 };
};

async function base(): Promise<BuildState> {
  const b = layer('base');
  return storeState(
    content,
    {
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: [b.diffId] },
      history: [{ created: '2020-01-01T00:00:00Z', created_by: 'base' }],
    },
    [b],
  );
}

/** Builds base → COPY (layer) → ENV (empty) the way a build would, returning the states. */
async function chain(): Promise<{ base: BuildState; copy: BuildState; env: BuildState; keys: string[] }> {
  const b = await base();
  const k1 = cacheKey([b.id, 'COPY', 'x']);
  const l1 = layer('copy');
  const copy = await deriveState(
    content,
    b,
    { Env: ['PATH=/bin'] },
    historyEntry('2024-01-01T00:00:00Z', 'COPY x', cacheComment(k1, cacheKey(['link', 'x'])), true),
    l1,
  );
  const k2 = cacheKey([copy.id, 'ENV', 'A=1']);
  const env = await deriveState(
    content,
    copy,
    { Env: ['PATH=/bin', 'A=1'] },
    historyEntry('2024-01-01T00:00:01Z', 'ENV A=1', cacheComment(k2), false),
    undefined,
  );
  return { base: b, copy, env, keys: [k1, k2] };
}

test('a step matches the source entry after the same parent that records its key; replay gives the same ID', async () => {
  const { base: b, copy, env, keys } = await chain();
  const src = new CacheSources(async () => [env]);
  const hit = await src.match(b, keys[0]);
  assert.ok(hit);
  assert.equal(hit.layer?.diffId, copy.layers[1].diffId);
  const replayed = await deriveState(content, b, { Env: ['PATH=/bin'] }, hit.entry, hit.layer);
  assert.equal(replayed.id, copy.id, 'replaying the entry gives the original intermediate state');

  const hit2 = await src.match(replayed, keys[1]);
  assert.ok(hit2);
  assert.equal(hit2.layer, undefined, 'an empty-layer entry has no layer');
  const last = await deriveState(content, replayed, { Env: ['PATH=/bin', 'A=1'] }, hit2.entry, undefined);
  assert.equal(last.id, env.id, 'the last step yields the source image itself');
});

test('no match for another key, another parent chain, or a source that ends at the parent', async () => {
  const { base: b, copy, env, keys } = await chain();
  const src = new CacheSources(async () => [env]);
  assert.equal(await src.match(b, keys[1]), undefined, 'key recorded at another position');
  assert.equal(await src.match(b, cacheKey(['other'])), undefined);
  const otherParent = await deriveState(
    content,
    b,
    { Env: ['PATH=/bin'] },
    historyEntry('2024-02-02T00:00:00Z', 'COPY x', cacheComment(keys[0]), true),
    layer('copy'),
  );
  assert.equal(await src.match(otherParent, keys[1]), undefined, 'history before the step differs');
  assert.equal(await new CacheSources(async () => [copy]).match(copy, keys[1]), undefined);
});

test('a --link layer is found by its link key wherever it sits; comments parse back', async () => {
  const { env } = await chain();
  const src = new CacheSources(async () => [env]);
  assert.equal((await src.linkLayer(cacheKey(['link', 'x'])))?.diffId, layer('copy').diffId);
  assert.equal(await src.linkLayer(cacheKey(['link', 'y'])), undefined);
  assert.deepEqual(keysOf({ comment: cacheComment('sha256:' + 'a'.repeat(64)) }), { key: `sha256:${'a'.repeat(64)}` });
  assert.equal(keysOf({ comment: 'buildkit.dockerfile.v0' }), undefined);
});

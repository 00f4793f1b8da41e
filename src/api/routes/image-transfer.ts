/**
 * Image handlers that move archives: import, load and save (tar, layer
 * unpacking). Loaded on first use by images.ts.
 */
import type { Engine } from '../../engine/engine.ts';
import { loadImages } from '../../engine/images/archive-load.ts';
import { type SaveItem, saveImages } from '../../engine/images/archive-write.ts';
import { importImage } from '../../engine/images/import.ts';
import { tagKey } from '../../engine/images/resolve.ts';
import { errorMessage, InvalidArgumentError } from '../../lib/errors.ts';
import { parseReferenceWithDefaultTag } from '../../oci/reference.ts';
import { parseChanges } from '../changes.ts';
import { JsonStream, qBool } from '../http.ts';
import type { Ctx } from '../router.ts';
import { pullHandler } from './distribution.ts';

/** `POST /images/create`: an import from the request body, or a pull. */
export async function createImage(engine: Engine, { req, res, query }: Ctx): Promise<void> {
  const fromSrc = query.get('fromSrc');
  if (fromSrc === null) return pullHandler(engine, { req, res, query } as Ctx);
  if (fromSrc !== '-')
    throw new InvalidArgumentError(
      'import from a URL is not supported: send the archive on the request body (fromSrc=-)',
    );
  const repo = query.get('repo');
  const tag = query.get('tag');
  const config = parseChanges(query.getAll('changes'));
  const out = new JsonStream(res);
  try {
    const rec = await importImage(engine.content, engine.images, (x) => engine.unpack(x), {
      src: req,
      tag: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
      message: query.get('message') ?? undefined,
      config,
      platform: parsePlatform(query.get('platform')),
    });
    engine.events.publish('image', 'import', rec.id, { name: rec.id });
    out.write({ status: rec.id });
  } catch (e) {
    await engine.gc().catch(() => {});
    out.error(errorMessage(e));
  }
  out.end();
}

function parsePlatform(p: string | null): { os?: string; architecture?: string; variant?: string } | undefined {
  if (!p) return undefined;
  const [os, architecture, variant] = p.split('/');
  return { os, architecture, variant };
}

/** `POST /images/load` */
export async function load(engine: Engine, { req, res, query }: Ctx): Promise<void> {
  const quiet = qBool(query, 'quiet');
  const out = new JsonStream(res);
  try {
    const result = await loadImages(req, engine.content, engine.images, engine.unpacker);
    for (const img of result.images) {
      engine.events.publish('image', 'load', img.id, { name: img.tags[0] ?? img.id });
      if (img.tags.length === 0) out.write({ stream: `Loaded image ID: ${img.id}\n` });
      for (const t of img.tags) out.write({ stream: `Loaded image: ${t}\n` });
    }
    void quiet;
  } catch (e) {
    await engine.gc().catch(() => {});
    out.error(errorMessage(e));
  }
  out.end();
}

/** `GET /images/get`, `GET /images/{name}/get` */
export async function save(engine: Engine, { res }: Ctx, names: string[]): Promise<void> {
  if (names.length === 0) throw new InvalidArgumentError('no images named to save');
  const items = new Map<string, SaveItem>();
  for (const n of names) {
    const rec = engine.images.get(n);
    const item = items.get(rec.id) ?? { rec, tags: [] };
    let namedTag: string | undefined;
    try {
      const ref = parseReferenceWithDefaultTag(n);
      if (!ref.digest && engine.images.records.tagTarget(tagKey(ref)) === rec.id) namedTag = tagKey(ref);
    } catch {}
    const tags = namedTag ? [namedTag] : engine.images.records.tagsOf(rec.id);
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    items.set(rec.id, item);
  }
  const stream = saveImages(engine.content, engine.images, [...items.values()]);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  for (const item of items.values())
    engine.events.publish('image', 'save', item.rec.id, { name: item.tags[0] ?? item.rec.id });
  stream.on('error', (e) => res.destroy(e));
  stream.pipe(res);
}

/**
 * Helpers for the foundation tests: docker-archive tarballs built by hand
 * (so hostile ones can be made too), and listings of a daemon's store to
 * prove that a failed operation left nothing behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTar, type TestEntry } from '../../src/store/test-tar.ts';

export { makeTar, type TestEntry };

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface ArchiveImage {
  tags?: string[];
  /** Layer tars (uncompressed). */
  layers: Buffer[];
  created?: string;
  labels?: Record<string, string>;
  cmd?: string[];
  /** Overrides the diff_ids written in the config (to make a lying archive). */
  diffIds?: string[];
}

export interface BuiltArchive {
  tar: Buffer;
  /** `sha256:…` image IDs, in the order given. */
  ids: string[];
}

function configOf(img: ArchiveImage): Buffer {
  const created = img.created ?? '2024-01-01T00:00:00Z';
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created,
    config: {
      Cmd: img.cmd ?? ['sh'],
      ...(img.labels ? { Labels: img.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: img.diffIds ?? img.layers.map((l) => `sha256:${sha256(l)}`) },
    history: img.layers.map(() => ({ created, created_by: 'test' })),
  };
  return Buffer.from(JSON.stringify(config));
}

/** A docker-archive (`docker save` format) holding the images given. */
export async function dockerArchive(images: ArchiveImage[]): Promise<BuiltArchive> {
  const entries: TestEntry[] = [];
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const img of images) {
    const config = configOf(img);
    const id = sha256(config);
    ids.push(`sha256:${id}`);
    const layerPaths: string[] = [];
    for (const l of img.layers) {
      const h = sha256(l);
      const p = `${h}/layer.tar`;
      if (!seen.has(h)) {
        seen.add(h);
        entries.push({ name: `${h}/`, type: 'directory' }, { name: p, content: l });
      }
      layerPaths.push(p);
    }
    entries.push({ name: `${id}.json`, content: config });
    manifest.push({ Config: `${id}.json`, RepoTags: img.tags?.length ? img.tags : null, Layers: layerPaths });
  }
  entries.push({ name: 'manifest.json', content: JSON.stringify(manifest) });
  return { tar: await makeTar(entries), ids };
}

/** A one-file layer whose content makes it distinct. */
export function tinyLayer(name: string, content: string): Promise<Buffer> {
  return makeTar([{ name, content }]);
}

/** Every path under `dir` (relative), sorted; empty when `dir` is missing. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const r = rel ? `${rel}/${e}` : e;
      out.push(r);
      if (lstatSync(p).isDirectory()) walk(p, r);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

/** What a failed operation must leave unchanged: the blobs and the snapshots. */
export function storeListing(dataRoot: string): { blobs: string[]; snapshots: string[] } {
  return {
    blobs: listTree(join(dataRoot, 'content/blobs')),
    snapshots: listTree(join(dataRoot, 'snapshots')),
  };
}

/**
 * Running one step through the cache. Lookup order, unless --no-cache:
 *   1. the --cache-from images (cache-from.ts): the step is replayed from
 *      the matching history entry and layer. They come first so that a
 *      build that matches them all ends at their ID, even when the local
 *      cache holds another build of the same steps (other timestamps);
 *   2. the local cache (build_cache), by the step's key;
 *   3. for COPY --link: a layer made earlier by a step with the same link
 *      key (sources and destination options, not the parent), here or in a
 *      --cache-from image; the layer is reused, only the config is new.
 * Otherwise the step makes its layer. Whatever the way, the step's key (and
 * link key) is recorded in the local cache and in the new history entry.
 */
import type { LayerInput } from '../../engine/images/image-service.ts';
import type { HistoryEntry } from '../../oci/image.ts';
import type { ContentStore } from '../../store/types.ts';
import { type BuildCache, cacheKey } from './cache.ts';
import type { CacheSources } from './cache-from.ts';
import { cacheComment, historyEntry } from './derive.ts';
import { type BuildState, loadState } from './state.ts';

export interface StepSpec {
  /** What the step's cache key is made of: parent state ID, instruction after expansion, inputs. */
  parts: unknown[];
  /** COPY --link: what its link key is made of (no parent). */
  linkParts?: unknown[];
  /** The history entry's created_by. */
  createdBy: string;
  /** Makes the step's layer; absent for steps that change only the config. */
  makeLayer?: () => Promise<LayerInput>;
  /** The resulting state from the step's history entry and layer (deriveState). */
  finish: (entry: HistoryEntry, layer: LayerInput | undefined) => Promise<BuildState>;
}

export interface StepRunnerDeps {
  cache: BuildCache;
  content: ContentStore;
  sources: CacheSources;
  noCache: boolean;
  say: (text: string) => void;
}

export class StepRunner {
  private d: StepRunnerDeps;
  constructor(d: StepRunnerDeps) {
    this.d = d;
  }

  async run(parent: BuildState, spec: StepSpec): Promise<BuildState> {
    const key = cacheKey(spec.parts);
    const link = spec.linkParts && cacheKey(spec.linkParts);
    if (!this.d.noCache) {
      const hit = await this.d.sources.match(parent, key);
      if (hit) {
        this.d.say(' ---> Using cache\n');
        const s = await spec.finish(hit.entry, hit.layer);
        this.record(key, link, s);
        return s;
      }
      const local = await this.local(key);
      if (local) {
        this.d.say(' ---> Using cache\n');
        return local;
      }
      const layer = link && (await this.linkLayer(link));
      if (layer) {
        this.d.say(' ---> Using cache (linked layer)\n');
        return this.finish(key, link, spec, layer);
      }
    }
    return this.finish(key, link, spec, spec.makeLayer && (await spec.makeLayer()));
  }

  private async local(key: string): Promise<BuildState | undefined> {
    const m = this.d.cache.get(key);
    return m && (await loadState(this.d.content, m));
  }

  private async linkLayer(link: string): Promise<LayerInput | undefined> {
    const s = await this.local(link);
    return s?.layers[s.layers.length - 1] ?? (await this.d.sources.linkLayer(link));
  }

  private async finish(
    key: string,
    link: string | undefined,
    spec: StepSpec,
    layer: LayerInput | undefined,
  ): Promise<BuildState> {
    const entry = historyEntry(new Date().toISOString(), spec.createdBy, cacheComment(key, link), layer !== undefined);
    const s = await spec.finish(entry, layer);
    this.record(key, link, s);
    return s;
  }

  private record(key: string, link: string | undefined, s: BuildState): void {
    this.d.cache.put(key, s.manifest.digest);
    if (link) this.d.cache.put(link, s.manifest.digest);
  }
}

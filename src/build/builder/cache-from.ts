/**
 * `--cache-from`: images whose history supplies cache hits on a machine
 * that never ran the build (the images were pulled or loaded).
 *
 * A step matches source image T when T's history starts with the parent's
 * history and T's layers start with the parent's layers (same parent
 * chain), and T's next history entry records the step's own cache key
 * (derive.ts writes it into every entry's comment). The step's state is
 * then replayed from that entry and T's layer (derive.ts), which gives the
 * state ID the original build had, so the chain continues to match and the
 * last step yields T's own image ID.
 *
 * A `COPY --link` step also matches any entry of any source that records
 * the same link key, whatever its parent: only the layer is reused.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LayerInput } from '../../engine/images/image-service.ts';
import type { HistoryEntry } from '../../oci/image.ts';
import { keysOf } from './derive.ts';
import type { BuildState } from './state.ts';

export interface SourceHit {
  entry: HistoryEntry;
  layer: LayerInput | undefined;
}

/** The layer a history entry added, or undefined for an empty one. */
function layerAt(s: BuildState, index: number): LayerInput | undefined {
  const h = s.config.history ?? [];
  if (h[index]?.empty_layer) return undefined;
  let n = 0;
  for (let i = 0; i < index; i++) if (!h[i].empty_layer) n++;
  return s.layers[n];
}

export class CacheSources {
  private load: () => Promise<BuildState[]>;
  private loaded?: Promise<BuildState[]>;

  /** `load` resolves the named images (once, on first use). */
  constructor(load: () => Promise<BuildState[]>) {
    this.load = load;
  }

  private sources(): Promise<BuildState[]> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  /** The entry (and layer) of a source that continues `parent` with the step keyed `key`. */
  async match(parent: BuildState, key: string): Promise<SourceHit | undefined> {
    const ph = parent.config.history ?? [];
    const pd = parent.config.rootfs?.diff_ids ?? [];
    for (const t of await this.sources()) {
      const th = t.config.history ?? [];
      const td = t.config.rootfs?.diff_ids ?? [];
      if (th.length <= ph.length || td.length < pd.length) continue;
      if (keysOf(th[ph.length])?.key !== key) continue;
      if (!pd.every((d, i) => td[i] === d)) continue;
      if (!ph.every((h, i) => isDeepStrictEqual(h, th[i]))) continue;
      const layer = layerAt(t, ph.length);
      if (!th[ph.length].empty_layer && !layer) continue;
      return { entry: th[ph.length], layer };
    }
    return undefined;
  }

  /** A layer some source's `COPY --link` step with this link key added. */
  async linkLayer(linkKey: string): Promise<LayerInput | undefined> {
    for (const t of await this.sources()) {
      const th = t.config.history ?? [];
      for (let i = 0; i < th.length; i++) {
        if (keysOf(th[i])?.link === linkKey) {
          const l = layerAt(t, i);
          if (l) return l;
        }
      }
    }
    return undefined;
  }
}

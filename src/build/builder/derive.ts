/**
 * A step's resulting state, derived from its parent: the parent's config
 * with the step's run config, one more history entry and (for steps that
 * change files) one more layer. The derivation is a pure function of its
 * inputs, so a state replayed from a `--cache-from` image's history (same
 * parent, same entry, same layer) has the same ID as the state the image
 * was built through.
 *
 * Every history entry a build writes carries the step's cache key in its
 * `comment` (`berth.cache sha256:… [link=sha256:…]`): an image brings the
 * keys of its own steps wherever it is saved, pushed or loaded.
 */
import type { LayerInput } from '../../engine/images/image-service.ts';
import type { HistoryEntry, ImageConfig, ImageRunConfig } from '../../oci/image.ts';
import type { ContentStore } from '../../store/types.ts';
import { type BuildState, storeState } from './state.ts';

const TAG = 'berth.cache';

/** The history comment that records a step's cache key (and its --link key). */
export function cacheComment(key: string, linkKey?: string): string {
  return `${TAG} ${key}${linkKey ? ` link=${linkKey}` : ''}`;
}

/** The keys a history comment records, if Berth wrote it. */
export function keysOf(entry: HistoryEntry | undefined): { key: string; link?: string } | undefined {
  const m = /^berth\.cache (sha256:[0-9a-f]{64})(?: link=(sha256:[0-9a-f]{64}))?$/.exec(entry?.comment ?? '');
  if (!m) return undefined;
  return m[2] ? { key: m[1], link: m[2] } : { key: m[1] };
}

/** A new history entry (fields always in this order, so replays give the same bytes). */
export function historyEntry(created: string, createdBy: string, comment: string, layer: boolean): HistoryEntry {
  return { created, created_by: createdBy, comment, ...(layer ? {} : { empty_layer: true }) };
}

/** The state after a step: parent + run config + history entry (+ layer). */
export function deriveState(
  content: ContentStore,
  parent: BuildState,
  run: ImageRunConfig,
  entry: HistoryEntry,
  layer: LayerInput | undefined,
  extra: Partial<Pick<ImageConfig, 'author'>> = {},
): Promise<BuildState> {
  const cfg: ImageConfig = {
    ...structuredClone(parent.config),
    created: entry.created,
    config: run,
    rootfs: {
      type: 'layers',
      diff_ids: [...(parent.config.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])],
    },
    history: [
      ...(parent.config.history ?? []),
      historyEntry(entry.created ?? '', entry.created_by ?? '', entry.comment ?? '', layer !== undefined),
    ],
    ...extra,
  };
  delete cfg.container;
  delete cfg.container_config;
  return storeState(content, cfg, layer ? [...parent.layers, layer] : parent.layers);
}

/** The `changes` query parameter of import and commit, as an image config. */
import { applyChanges } from '../build/config-apply.ts';
import type { ImageRunConfig } from '../oci/image.ts';

export function parseChanges(changes: string[], base: ImageRunConfig = {}): ImageRunConfig {
  return applyChanges(base, changes);
}

/**
 * Runs `berth registry …` on its own: `node dist/src/registry/cli-entry.js serve …`,
 * and, bundled as CommonJS, dist/bundle/registry.cjs, which bin/berth runs for
 * `berth registry` (no top-level await here, so that it can be CommonJS).
 */
import { registryMain } from './main.ts';

registryMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

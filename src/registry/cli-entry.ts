/** Runs `berth registry …` on its own: `node dist/src/registry/cli-entry.js serve …`. */
import { registryMain } from './main.ts';

process.exitCode = await registryMain(process.argv.slice(2));

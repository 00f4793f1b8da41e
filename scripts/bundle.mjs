// Bundles berthd and berth into a few ES modules under dist/bundle/ so that a
// cold process loads one file instead of a hundred (start-up time is a
// headline figure). Lazily imported commands become their own chunks.
import { build } from 'esbuild';

await build({
  entryPoints: { berthd: 'src/daemon/main.ts', berth: 'src/cli/main.ts', resolver: 'src/network/dns/resolver-main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

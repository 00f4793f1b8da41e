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

// `berth registry` on its own (bin/berth runs it directly): one CommonJS file,
// since require() of a builtin does not load the ES facade's lazy parts
// (undici, TLS, worker_threads …), which cost the long-running server memory.
await build({
  entryPoints: ['src/registry/cli-entry.ts'],
  outfile: 'dist/bundle/registry.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  logLevel: 'warning',
});

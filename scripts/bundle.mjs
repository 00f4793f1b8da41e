// Bundles berthd and berth into a few ES modules under dist/bundle/ so that a
// cold process loads one file instead of a hundred (start-up time is a
// headline figure). Lazily imported commands become their own chunks.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: start clean, or old chunks pile up.
rmSync('dist/bundle', { recursive: true, force: true });

const common = {
  outdir: 'dist/bundle',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
};
const split = { ...common, splitting: true, chunkNames: 'chunks/[name]-[hash]' };
// CommonJS dependencies (yaml, tar-stream) get a require() that loads node:module on first use.
const lazyRequire = {
  js: "const require = (id) => process.getBuiltinModule('node:module').createRequire(import.meta.url)(id);",
};

// The CLI (berth-cli.mjs, loaded by berth.mjs for every command but
// `version`). An ES `import` of a node: module makes Node build a facade that
// reads every export, and reading some of node:fs's, node:util's or
// node:process's exports loads more modules (fs/promises, worker_threads,
// parse_args, …): ~10 ms of a cold start. Here a static import of a builtin
// gets a module over process.getBuiltinModule() that reads only the names
// that import asks for (from the importer's source; a name missed fails the
// build, not a run). node:child_process, which only commander imports (for
// executable subcommands, unused), is not loaded until touched.
function importedNames(file, spec) {
  const names = new Set();
  const re = new RegExp(`import\\s+([^;'"]*?)\\s*from\\s*['"]${spec}['"]`, 'g');
  for (const [, clause] of readFileSync(file, 'utf8').matchAll(re)) {
    if (/^type\s/.test(clause)) continue;
    if (clause.includes('*')) return undefined;
    for (const n of /\{([^}]*)\}/.exec(clause)?.[1].split(',') ?? []) {
      const name = n.trim().split(/\s+as\s+/)[0];
      if (name && !name.startsWith('type ')) names.add(name);
    }
  }
  return [...names].sort();
}
// node:crypto (and its first digest) and node:zlib cost berthd ~15 ms before
// it listens, yet nothing needs them until later: their functions are
// wrappers that load the module on the first call. Only plain functions
// (lower-case names): a class or an object keeps its identity.
const LAZY_BUILTINS = new Set(['node:crypto', 'node:zlib']);
function isPlainFunction(spec, name) {
  return /^[a-z]/.test(name) && typeof process.getBuiltinModule(spec)[name] === 'function';
}
function lazyFunctions(m, names) {
  const lines = ['let m;', `const mod = () => (m ??= ${m});`];
  for (const n of names) lines.push(`export function ${n}(...a) { return mod().${n}(...a); }`);
  return lines.join('\n');
}
const builtinsByGetBuiltinModule = {
  name: 'builtins-by-getBuiltinModule',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => {
      if (a.path === 'node:child_process' && /[/\\]commander[/\\]/.test(a.importer))
        return { path: 'lazy:child_process', namespace: 'builtin' };
      const names = a.kind === 'import-statement' ? importedNames(a.importer, a.path) : undefined;
      return { path: `${a.path}?${names?.join(',') ?? '*'}`, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => {
      if (path === 'lazy:child_process')
        return {
          contents:
            "export default new Proxy({}, { get: (_, k) => process.getBuiltinModule('node:child_process')[k] });",
        };
      const [spec, list] = path.split('?');
      const m = `process.getBuiltinModule(${JSON.stringify(spec)})`;
      if (list === '*') return { contents: `module.exports = ${m};` };
      if (LAZY_BUILTINS.has(spec) && list.split(',').every((n) => isPlainFunction(spec, n)))
        return { contents: lazyFunctions(m, list.split(',')) };
      return { contents: `const m = ${m};\nexport default m;\nexport const { ${list.split(',').join(', ')} } = m;\n` };
    });
  },
};
// The daemon and its resolver the same way: node:crypto's facade alone
// (webcrypto, every cipher module) was ~12 ms of berthd's start to /_ping.
await build({
  ...split,
  entryPoints: { berthd: 'src/daemon/main.ts', resolver: 'src/network/dns/resolver-main.ts' },
  plugins: [builtinsByGetBuiltinModule],
  banner: lazyRequire,
});
await build({
  ...split,
  entryPoints: { 'berth-cli': 'src/cli/main.ts' },
  plugins: [builtinsByGetBuiltinModule],
  banner: lazyRequire,
});

// berth's entry is one file with no chunks: `berth version` runs from it
// alone (src/cli/entry.ts); any other command imports berth-cli.mjs.
await build({
  ...common,
  entryPoints: { berth: 'src/cli/entry.ts' },
  plugins: [
    builtinsByGetBuiltinModule,
    {
      name: 'berth-cli-external',
      setup(b) {
        b.onResolve({ filter: /^\.\/main\.ts$/ }, () => ({ path: './berth-cli.mjs', external: true }));
      },
    },
  ],
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

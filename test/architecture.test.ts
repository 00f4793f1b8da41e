/**
 * Keeps the import rules of DESIGN.md: imports run downward only, `client`
 * knows only the API's wire types, `compose` and `cli` go through `client`,
 * `registry` stands alone, and no module is part of an import cycle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../src/sys/native.ts';

const ROOT = projectRoot();
const SRC = join(ROOT, 'src');

/** For each top folder: the folders it may import statically. */
const ALLOWED: Record<string, string[]> = {
  lib: [],
  sys: ['lib'],
  oci: ['lib'],
  wire: ['lib', 'oci'],
  store: ['lib', 'sys', 'oci'],
  runtime: ['lib', 'sys', 'oci'],
  network: ['lib', 'sys', 'oci'],
  distribution: ['lib', 'sys', 'oci', 'store'],
  engine: ['lib', 'sys', 'oci', 'wire', 'store', 'runtime', 'network', 'distribution'],
  build: ['lib', 'sys', 'oci', 'wire', 'store', 'runtime', 'network', 'distribution', 'engine'],
  api: ['lib', 'sys', 'oci', 'wire', 'store', 'runtime', 'network', 'distribution', 'engine', 'build'],
  daemon: ['lib', 'sys', 'oci', 'wire', 'store', 'runtime', 'network', 'distribution', 'engine', 'build', 'api'],
  registry: ['lib', 'sys', 'oci'],
  client: ['lib', 'oci', 'wire'],
  compose: ['lib', 'oci', 'client', 'wire', 'build/dockerfile', 'build/context'],
  cli: ['lib', 'oci', 'client', 'wire', 'compose', 'build/dockerfile', 'build/context'],
};
/** Loaded only on demand (dynamic import), so the CLI stays fast to start. */
const DYNAMIC_ALLOWED: Record<string, string[]> = { cli: ['registry'] };

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const edges: Edge[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    edges.push({ from: file, to: resolve(dirname(file), spec), dynamic: m[3] !== undefined });
  }
  return edges;
}

function area(file: string): string {
  return relative(SRC, file).split('/')[0];
}

function allowedTarget(fromArea: string, target: string, dynamic: boolean): boolean {
  const rel = relative(SRC, target);
  const toArea = rel.split('/')[0];
  if (toArea === fromArea) return true;
  const allowed = [...(ALLOWED[fromArea] ?? []), ...(dynamic ? (DYNAMIC_ALLOWED[fromArea] ?? []) : [])];
  return allowed.some((a) => rel === a || rel.startsWith(`${a}/`) || rel.startsWith(`${a}.`));
}

const files = walk(SRC).filter((f) => !f.endsWith('.test.ts'));
const edges = files.flatMap(importsOf);

test('every top folder of src/ is known to the import rules', () => {
  const unknown = [...new Set(files.map(area))].filter((a) => !(a in ALLOWED));
  assert.deepEqual(unknown, [], `add these folders to DESIGN.md and to ALLOWED: ${unknown.join(', ')}`);
});

test('imports run only in the directions DESIGN.md allows', () => {
  const bad = edges
    .filter((e) => !allowedTarget(area(e.from), e.to, e.dynamic))
    .map((e) => `${relative(ROOT, e.from)} → ${relative(ROOT, e.to)}${e.dynamic ? ' (dynamic)' : ''}`);
  assert.deepEqual(bad, []);
});

test('there are no import cycles', () => {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.dynamic) continue;
    const list = graph.get(e.from) ?? [];
    list.push(e.to);
    graph.set(e.from, list);
  }
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1)
        cycles.push([...stack.slice(stack.indexOf(m)), m].map((f) => relative(ROOT, f)).join(' → '));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('the rules catch a violation (self-check)', () => {
  assert.equal(allowedTarget('lib', join(SRC, 'engine/x.ts'), false), false);
  assert.equal(allowedTarget('engine', join(SRC, 'lib/x.ts'), false), true);
  assert.equal(allowedTarget('cli', join(SRC, 'registry/x.ts'), false), false);
  assert.equal(allowedTarget('cli', join(SRC, 'registry/x.ts'), true), true);
});

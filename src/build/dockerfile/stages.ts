/**
 * The stage view of a parsed Dockerfile: the global ARGs before the first
 * FROM, each stage with its base (scratch, an image, or an earlier stage)
 * and the stages it needs (FROM stage, COPY --from=stage,
 * RUN --mount=from=stage), and the plan for a `--target`: the stages it
 * needs, in levels whose members can be built in parallel.
 */
import type { ArgDecl, Dockerfile, FromInstruction, Instruction } from './ast.ts';
import { DockerfileError, SyntaxProblem } from './errors.ts';
import { expand, type Lookup } from './expand.ts';

export type StageBase = { kind: 'scratch' } | { kind: 'image'; ref: string } | { kind: 'stage'; index: number };

export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  from: FromInstruction;
  /** The FROM image after substituting the global ARGs. */
  baseName: string;
  base: StageBase;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
  /** Indexes of the stages this one needs, ascending. */
  deps: number[];
  /** Images (not stages) named by COPY --from or RUN --mount from=. */
  images: string[];
}

export interface StagesOptions {
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  /** Args defined without a declaration in global scope (TARGETPLATFORM, BUILDPLATFORM, TARGETOS, …). */
  predefined?: Record<string, string>;
}

export interface Stages {
  /** The ARGs declared before the first FROM, in order. */
  globalArgs: ArgDecl[];
  /** Their values after `--build-arg`s and substitution (unset ones are absent). */
  globalScope: Map<string, string>;
  stages: Stage[];
  /** A stage by (case-insensitive) name or by index. */
  find(ref: string): Stage | undefined;
  /** The stages `target` (default: the last stage) needs, itself included, in levels; each level can run in parallel. */
  needed(target?: string): Stage[][];
}

export function stages(df: Dockerfile, options: StagesOptions = {}): Stages {
  const buildArgs = options.buildArgs ?? {};
  const predefined = options.predefined ?? {};
  const fail = (line: number, msg: string): never => {
    throw new DockerfileError(df.file, line, msg);
  };
  const expandAt = (word: string, lookup: Lookup, line: number): string => {
    try {
      return expand(word, lookup, { escape: df.directives.escape });
    } catch (e) {
      if (e instanceof SyntaxProblem) return fail(line, e.message);
      throw e;
    }
  };

  const globalArgs: ArgDecl[] = [];
  const globalScope = new Map<string, string>();
  const globalLookup: Lookup = (n) => globalScope.get(n) ?? (Object.hasOwn(predefined, n) ? predefined[n] : undefined);
  let i = 0;
  for (; i < df.instructions.length && df.instructions[i].kind === 'ARG'; i++) {
    const ins = df.instructions[i];
    if (ins.kind !== 'ARG') break;
    for (const a of ins.args) {
      globalArgs.push(a);
      const v = Object.hasOwn(buildArgs, a.name)
        ? buildArgs[a.name]
        : a.default !== undefined
          ? expandAt(a.default, globalLookup, ins.line)
          : undefined;
      if (v !== undefined) globalScope.set(a.name, v);
    }
  }

  const list: Stage[] = [];
  for (; i < df.instructions.length; i++) {
    const ins = df.instructions[i];
    if (ins.kind === 'FROM') {
      const baseName = expandAt(ins.image, globalLookup, ins.line);
      if (baseName === '') fail(ins.line, `base name (${ins.image}) should not be blank`);
      const lower = baseName.toLowerCase();
      const earlier = list.find((s) => s.name === lower);
      const base: StageBase = earlier
        ? { kind: 'stage', index: earlier.index }
        : lower === 'scratch'
          ? { kind: 'scratch' }
          : { kind: 'image', ref: baseName };
      list.push({
        index: list.length,
        name: ins.name,
        from: ins,
        baseName,
        base,
        instructions: [],
        deps: [],
        images: [],
      });
    } else list[list.length - 1].instructions.push(ins);
  }

  const find = (ref: string): Stage | undefined => {
    if (/^\d+$/.test(ref)) return list[Number(ref)];
    const lower = ref.toLowerCase();
    return list.find((s) => s.name === lower);
  };

  for (const stage of list) {
    const deps = new Set<number>();
    if (stage.base.kind === 'stage') deps.add(stage.base.index);
    const images = new Set<string>();
    const scope = new Map<string, string>();
    const lookup: Lookup = (n) => scope.get(n);
    const use = (ref: string, line: number): void => {
      const name = expandAt(ref, lookup, line);
      if (/^\d+$/.test(name) && !list[Number(name)])
        fail(line, `invalid stage index ${name}: there are ${list.length} stages`);
      const target = find(name);
      if (!target) images.add(name);
      else if (target.index === stage.index) fail(line, `circular dependency detected on stage: ${name}`);
      else deps.add(target.index);
    };
    for (const ins of stage.instructions) {
      if (ins.kind === 'ARG') {
        for (const a of ins.args) {
          const v = Object.hasOwn(buildArgs, a.name)
            ? buildArgs[a.name]
            : a.default !== undefined
              ? expandAt(a.default, lookup, ins.line)
              : (globalScope.get(a.name) ?? (Object.hasOwn(predefined, a.name) ? predefined[a.name] : undefined));
          if (v !== undefined) scope.set(a.name, v);
        }
      } else if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from !== undefined) use(ins.from, ins.line);
      else if (ins.kind === 'RUN') {
        for (const m of ins.mounts) {
          if ((m.type === 'bind' || m.type === 'cache') && m.from !== undefined) use(m.from, ins.line);
        }
      }
    }
    stage.deps = [...deps].sort((a, b) => a - b);
    stage.images = [...images];
  }

  const levels = levelsOf(df.file, list);

  const needed = (target?: string): Stage[][] => {
    if (list.length === 0) return [];
    const t =
      target === undefined || target === '' ? list[list.length - 1] : list.find((s) => s.name === target.toLowerCase());
    if (!t) throw new DockerfileError(df.file, 0, `target stage "${target}" could not be found`);
    const want = new Set<number>();
    const visit = (s: Stage): void => {
      if (want.has(s.index)) return;
      want.add(s.index);
      for (const d of s.deps) visit(list[d]);
    };
    visit(t);
    const out: Stage[][] = [];
    for (const idx of [...want].sort((a, b) => a - b)) {
      const lv = levels[idx];
      if (!out[lv]) out[lv] = [];
      out[lv].push(list[idx]);
    }
    return out.filter((l) => l !== undefined);
  };

  return { globalArgs, globalScope, stages: list, find, needed };
}

/** Level of each stage (0: needs no stage); a cycle is an error. */
function levelsOf(file: string, list: Stage[]): number[] {
  const level: number[] = [];
  const state: (0 | 1 | 2)[] = list.map(() => 0);
  const visit = (s: Stage): number => {
    if (state[s.index] === 2) return level[s.index];
    if (state[s.index] === 1) {
      throw new DockerfileError(file, s.from.line, `circular dependency detected on stage: ${s.name ?? s.index}`);
    }
    state[s.index] = 1;
    let lv = 0;
    for (const d of s.deps) lv = Math.max(lv, visit(list[d]) + 1);
    state[s.index] = 2;
    level[s.index] = lv;
    return lv;
  };
  for (const s of list) visit(s);
  return level;
}

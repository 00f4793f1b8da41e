/**
 * One build: stages run concurrently (each waits only for the stages it
 * uses), each instruction becomes a step whose result is looked up in the
 * cache first (step-cache.ts). RUN and COPY/ADD have their own files
 * (run-step.ts, copy-step.ts); the instructions that change only the
 * config are handled here.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import type { ImageConfig, ImageRunConfig } from '../../oci/image.ts';
import { hostPlatform } from '../../oci/image.ts';
import { applyToConfig } from '../config-apply.ts';
import type { Instruction } from '../dockerfile/ast.ts';
import { DockerfileError, SyntaxProblem } from '../dockerfile/errors.ts';
import { expand, type Lookup } from '../dockerfile/expand.ts';
import { parseDockerfile } from '../dockerfile/parse.ts';
import type { Stage, Stages } from '../dockerfile/stages.ts';
import { CacheSources } from './cache-from.ts';
import { copyInstruction } from './copy-step.ts';
import { deriveState } from './derive.ts';
import type { StageCtx, StepHost } from './host.ts';
import { runInstruction } from './run-step.ts';
import { DEFAULT_PATH, scopeLookup } from './scope.ts';
import { type BuildState, stateOfImage, storeState } from './state.ts';
import { StepRunner, type StepSpec } from './step-cache.ts';
import type { BuildEnv, BuildRequest, BuildSink } from './types.ts';

export const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export class BuildSession implements StepHost {
  readonly env: BuildEnv;
  readonly req: BuildRequest;
  readonly signal: AbortSignal;
  readonly scratch: string;
  readonly usedArgs = new Set<string>();
  private sink: BuildSink;
  private plan: Stages;
  private results = new Map<number, Promise<BuildState>>();
  private total: number;
  private starts = new Map<number, number>();
  private escape: '\\' | '`';
  private file: string;
  private steps: StepRunner;

  constructor(
    env: BuildEnv,
    req: BuildRequest,
    sink: BuildSink,
    plan: Stages,
    needed: Stage[],
    escapeChar: '\\' | '`',
    signal: AbortSignal,
  ) {
    this.env = env;
    this.req = req;
    this.sink = sink;
    this.plan = plan;
    this.escape = escapeChar;
    this.file = req.dockerfileName;
    this.signal = signal;
    this.scratch = join(env.scratch, 'tmp', randomId().slice(0, 16));
    this.steps = new StepRunner({
      cache: env.cache,
      content: env.content,
      noCache: req.noCache,
      say: (t) => this.say(t),
      sources: new CacheSources(() => this.cacheSources()),
    });
    let n = 1;
    for (const s of [...needed].sort((a, b) => a.index - b.index)) {
      this.starts.set(s.index, n);
      n += 1 + s.instructions.length;
    }
    this.total = n - 1 + (Object.keys(req.labels).length ? 1 : 0);
  }

  get totalSteps(): number {
    return this.total;
  }

  say(text: string): void {
    if (!this.req.quiet) this.sink.stream(text);
  }

  fail(line: number, msg: string): never {
    throw new DockerfileError(this.file, line, msg);
  }

  x(word: string, lookup: Lookup, line: number): string {
    try {
      return expand(word, lookup, { escape: this.escape });
    } catch (e) {
      if (e instanceof SyntaxProblem) this.fail(line, e.message);
      throw e;
    }
  }

  step(parent: BuildState, spec: StepSpec): Promise<BuildState> {
    return this.steps.run(parent, spec);
  }

  /** The result of stage `index` (built once, shared by everyone who asks). */
  stage(index: number): Promise<BuildState> {
    let p = this.results.get(index);
    if (!p) {
      p = this.buildStage(this.plan.stages[index]);
      this.results.set(index, p);
    }
    return p;
  }

  async cleanup(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
  }

  /** The --cache-from images that exist here (Docker skips the others too). */
  private async cacheSources(): Promise<BuildState[]> {
    const out: BuildState[] = [];
    for (const ref of this.req.cacheFrom) {
      const rec = this.env.images.find(ref);
      if (rec) out.push(await stateOfImage(this.env.content, rec));
    }
    return out;
  }

  private async base(stage: Stage): Promise<BuildState> {
    const b = stage.base;
    if (b.kind === 'stage') return this.stage(b.index);
    if (b.kind === 'scratch') {
      const p = hostPlatform();
      const cfg: ImageConfig = {
        architecture: p.architecture,
        os: p.os,
        config: { Env: [DEFAULT_PATH] },
        rootfs: { type: 'layers', diff_ids: [] },
        history: [],
      };
      return storeState(this.env.content, cfg, []);
    }
    return this.imageState(b.ref);
  }

  private async imageState(ref: string): Promise<BuildState> {
    const rec = this.env.images.find(ref);
    if (!rec) {
      throw new NotFoundError(
        `pull access denied for ${ref}, repository does not exist or may require 'docker login': Berth found no image ${ref} here (load or pull it first)`,
      );
    }
    return stateOfImage(this.env.content, rec);
  }

  source(from: string): Promise<BuildState> {
    const st = this.plan.find(from);
    return st ? this.stage(st.index) : this.imageState(from);
  }

  private async buildStage(stage: Stage): Promise<BuildState> {
    const start = this.starts.get(stage.index) ?? 0;
    const base = await this.base(stage);
    this.say(`Step ${start}/${this.total} : ${stage.from.original}\n`);
    this.say(` ---> ${short(base.id)}\n`);
    const ctx: StageCtx = { stage, state: base, args: new Map(), step: start };
    const triggers = base.config.config?.OnBuild ?? [];
    if (triggers.length) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      const cleared = structuredClone(base.config);
      if (cleared.config) cleared.config.OnBuild = null;
      ctx.state = await storeState(this.env.content, cleared, base.layers);
      for (const t of triggers) {
        const ins = parseDockerfile(`FROM scratch\n${t}\n`, { file: `${this.file} (ONBUILD)` }).instructions[1];
        ctx.state = await this.dispatch(ctx, ins);
      }
    }
    for (const ins of stage.instructions) {
      ctx.step++;
      this.say(`Step ${ctx.step}/${this.total} : ${ins.original}\n`);
      ctx.state = await this.dispatch(ctx, ins);
      this.say(` ---> ${short(ctx.state.id)}\n`);
    }
    return ctx.state;
  }

  /** A step that changes only the config. */
  private configStep(parent: BuildState, parts: unknown[], run: ImageRunConfig, text: string, author?: string) {
    return this.step(parent, {
      parts: [parent.id, ...parts],
      createdBy: `/bin/sh -c #(nop)  ${text}`,
      finish: (entry) =>
        deriveState(this.env.content, parent, run, entry, undefined, author === undefined ? {} : { author }),
    });
  }

  private declare(ctx: StageCtx, ins: Extract<Instruction, { kind: 'ARG' }>): void {
    const lookup = scopeLookup(ctx.state.config.config, ctx.args);
    for (const a of ins.args) {
      this.usedArgs.add(a.name);
      const given = Object.hasOwn(this.req.buildArgs, a.name) ? this.req.buildArgs[a.name] : undefined;
      const v =
        given ??
        (a.default !== undefined
          ? this.x(a.default, lookup, ins.line)
          : (this.plan.globalScope.get(a.name) ?? this.env.predefined[a.name]));
      if (v !== undefined) ctx.args.set(a.name, v);
    }
  }

  async dispatch(ctx: StageCtx, ins: Instruction): Promise<BuildState> {
    const parent = ctx.state;
    const lookup = scopeLookup(parent.config.config, ctx.args);
    switch (ins.kind) {
      case 'FROM':
        return this.fail(ins.line, 'FROM is not allowed here');
      case 'ARG':
        this.declare(ctx, ins);
        return parent;
      case 'RUN':
        return runInstruction(this, ctx, ins, lookup);
      case 'COPY':
      case 'ADD':
        return copyInstruction(this, ctx, ins, lookup);
      case 'MAINTAINER': {
        const run = structuredClone(parent.config.config ?? {});
        const author = this.x(ins.value, lookup, ins.line);
        return this.configStep(parent, [ins.original, author], run, `MAINTAINER ${author}`, author);
      }
      default: {
        const run: ImageRunConfig = structuredClone(parent.config.config ?? {});
        try {
          applyToConfig(run, ins, lookup);
        } catch (e) {
          if (e instanceof SyntaxProblem) this.fail(ins.line, e.message);
          throw e;
        }
        if (ins.kind === 'ONBUILD' && /^(ONBUILD|FROM|MAINTAINER)\b/i.test(ins.expression.trim())) {
          this.fail(
            ins.line,
            `${ins.expression.trim().split(/\s/)[0].toUpperCase()} isn't allowed as an ONBUILD trigger`,
          );
        }
        return this.configStep(parent, [ins.original, run], run, ins.original);
      }
    }
  }

  /** The label step `--label` adds at the end. */
  async labels(state: BuildState): Promise<BuildState> {
    const entries = Object.entries(this.req.labels);
    if (!entries.length) return state;
    const text = `LABEL ${entries.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
    this.say(`Step ${this.total}/${this.total} : ${text}\n`);
    const run = structuredClone(state.config.config ?? {});
    run.Labels = { ...run.Labels, ...this.req.labels };
    const s = await this.configStep(state, [text, run], run, text);
    this.say(` ---> ${short(s.id)}\n`);
    return s;
  }

  /** Mounts a stage's or image's root read-only until the returned closers run. */
  async openView(from: string, closers: Array<() => Promise<void>>): Promise<string> {
    const state = await this.source(from);
    return new Promise<string>((resolve, reject) => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const done = this.env.layers
        .withView(state, async (root) => {
          resolve(root);
          await held;
        })
        .catch(reject);
      closers.push(async () => {
        release();
        await done;
      });
    });
  }
}

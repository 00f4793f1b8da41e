/**
 * One build: stages run concurrently (each waits only for the stages it
 * uses), each instruction becomes a step whose result is looked up in the
 * cache first, by (parent state, instruction after expansion, inputs).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import type { ImageConfig, ImageRunConfig } from '../../oci/image.ts';
import { hostPlatform } from '../../oci/image.ts';
import { applyToConfig } from '../config-apply.ts';
import type { CopyInstruction, Instruction, RunInstruction } from '../dockerfile/ast.ts';
import { DockerfileError, SyntaxProblem } from '../dockerfile/errors.ts';
import { expand, type Lookup } from '../dockerfile/expand.ts';
import { parseDockerfile } from '../dockerfile/parse.ts';
import type { Stage, Stages } from '../dockerfile/stages.ts';
import { cacheKey } from './cache.ts';
import { applyCopy, planCopy } from './copy.ts';
import { runStep } from './run.ts';
import { resolveRunMounts } from './run-mounts.ts';
import { argEnv, scopeLookup } from './scope.ts';
import { type BuildState, loadState, stateOfImage, storeState } from './state.ts';
import type { BuildEnv, BuildRequest, BuildSink } from './types.ts';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHELL = ['/bin/sh', '-c'];

export const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

interface StageCtx {
  stage: Stage;
  state: BuildState;
  args: Map<string, string>;
  step: number;
}

export class BuildSession {
  private env: BuildEnv;
  private req: BuildRequest;
  private sink: BuildSink;
  private plan: Stages;
  private results = new Map<number, Promise<BuildState>>();
  private total: number;
  private starts = new Map<number, number>();
  private escape: '\\' | '`';
  private file: string;
  readonly signal: AbortSignal;
  private scratch: string;
  readonly usedArgs = new Set<string>();

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

  private say(text: string): void {
    if (!this.req.quiet) this.sink.stream(text);
  }

  private fail(line: number, msg: string): never {
    throw new DockerfileError(this.file, line, msg);
  }

  private x(word: string, lookup: Lookup, line: number): string {
    try {
      return expand(word, lookup, { escape: this.escape });
    } catch (e) {
      if (e instanceof SyntaxProblem) this.fail(line, e.message);
      throw e;
    }
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
      ctx.state = await this.cached([base.id, 'onbuild-clear'], () =>
        storeState(this.env.content, cleared, base.layers),
      );
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

  /** Looks a step up in the cache, or makes it and records it. */
  private async cached(parts: unknown[], make: () => Promise<BuildState>): Promise<BuildState> {
    const key = cacheKey(parts);
    if (!this.req.noCache) {
      const m = this.env.cache.get(key);
      const s = m && (await loadState(this.env.content, m));
      if (s) {
        this.say(' ---> Using cache\n');
        return s;
      }
    }
    const s = await make();
    this.env.cache.put(key, s.manifest.digest);
    return s;
  }

  private next(parent: BuildState, run: ImageRunConfig, createdBy: string, layer?: BuildState['layers'][number]) {
    const created = new Date().toISOString();
    const cfg: ImageConfig = {
      ...structuredClone(parent.config),
      created,
      config: run,
      rootfs: {
        type: 'layers',
        diff_ids: [...(parent.config.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])],
      },
      history: [
        ...(parent.config.history ?? []),
        { created, created_by: createdBy, ...(layer ? {} : { empty_layer: true }) },
      ],
    };
    delete cfg.container;
    delete cfg.container_config;
    return storeState(this.env.content, cfg, layer ? [...parent.layers, layer] : parent.layers);
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
        return this.run(ctx, ins, lookup);
      case 'COPY':
      case 'ADD':
        return this.copy(ctx, ins, lookup);
      case 'MAINTAINER': {
        const run = structuredClone(parent.config.config ?? {});
        const author = this.x(ins.value, lookup, ins.line);
        return this.cached([parent.id, ins.original, author], async () => {
          const s = await this.next(parent, run, `/bin/sh -c #(nop)  MAINTAINER ${author}`);
          const cfg = { ...s.config, author };
          return storeState(this.env.content, cfg, s.layers);
        });
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
        return this.cached([parent.id, ins.original, run], () =>
          this.next(parent, run, `/bin/sh -c #(nop)  ${ins.original}`),
        );
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
    const s = await this.cached([state.id, text, run], () => this.next(state, run, `/bin/sh -c #(nop)  ${text}`));
    this.say(` ---> ${short(s.id)}\n`);
    return s;
  }

  private commandOf(ins: RunInstruction, shell: string[]): { args: string[]; text: string } {
    if (ins.command.form === 'exec') return { args: ins.command.args, text: JSON.stringify(ins.command.args) };
    let script = ins.command.command;
    const only = /^<<-?["']?([^"'\s]+)["']?$/.exec(script.trim());
    if (only && ins.heredocs.length === 1 && ins.heredocs[0].name === only[1]) {
      // `RUN <<EOF … EOF`: the body is the script (a shebang picks its interpreter)
      const body = ins.heredocs[0].content;
      if (body.startsWith('#!')) {
        const interp = body.slice(2, body.indexOf('\n')).trim().split(/\s+/);
        return { args: [...interp, '-c', body], text: body };
      }
      return { args: [...shell, body], text: body };
    }
    for (const h of ins.heredocs) script += `\n${h.content}${h.name}`;
    return { args: [...shell, script], text: script };
  }

  private async run(ctx: StageCtx, ins: RunInstruction, lookup: Lookup): Promise<BuildState> {
    const parent = ctx.state;
    const cfg = parent.config.config ?? {};
    const shell = cfg.Shell ?? DEFAULT_SHELL;
    const { args, text } = this.commandOf(ins, shell);
    const argVars = argEnv(cfg, ctx.args);
    const network = (ins.network ?? 'default') === 'host' || this.req.network === 'host' ? 'host' : 'none';
    const mountKey = ins.mounts.map((m) => ({ ...m }));
    const createdBy = `${argVars.length ? `|${argVars.length} ${argVars.join(' ')} ` : ''}${
      ins.command.form === 'exec' ? JSON.stringify(args) : `${shell.join(' ')} ${text}`
    }`;
    return this.cached([parent.id, 'RUN', args, argVars, mountKey, network], async () => {
      const id = randomId().slice(0, 12);
      this.say(` ---> Running in ${id}\n`);
      const views: Array<() => Promise<void>> = [];
      const fromRoots = new Map<string, string>();
      for (const m of ins.mounts) {
        if ((m.type === 'bind' || m.type === 'cache') && m.from) {
          const from = m.hasVariables ? this.x(m.from, lookup, ins.line) : m.from;
          if (!fromRoots.has(from)) fromRoots.set(from, await this.openView(from, views));
        }
      }
      const secretDir = join(this.scratch, `secrets-${id}`);
      try {
        const resolved = await resolveRunMounts(ins.mounts, {
          scratch: this.env.scratch,
          secretDir,
          secrets: this.req.secrets,
          contextDir: this.req.contextDir,
          workdir: cfg.WorkingDir || '/',
          expand: (v) => this.x(v, lookup, ins.line),
          fromRoot: (f) => fromRoots.get(f) as string,
        });
        const envList = [...(cfg.Env ?? []), ...argVars, ...resolved.env];
        let code = 0;
        const layer = await this.env.layers.layer(parent, async (root) => {
          code = await runStep({
            root,
            args,
            env: envList.some((e) => e.startsWith('PATH=')) ? envList : [DEFAULT_PATH, ...envList],
            cwd: cfg.WorkingDir || '/',
            user: cfg.User ?? '',
            mounts: resolved.mounts,
            network,
            runtime: this.env.runtime(),
            cgroupParent: this.env.cgroupParent,
            scratch: this.env.scratch,
            output: (c) => this.say(c.toString('utf8')),
            signal: this.signal,
          });
        });
        if (code !== 0) {
          const shown = ins.command.form === 'exec' ? JSON.stringify(args) : `${shell.join(' ')} ${text}`;
          throw new StepFailed(`The command '${shown}' returned a non-zero code: ${code}`, code);
        }
        this.say(` ---> Removed intermediate container ${id}\n`);
        return this.next(parent, structuredClone(cfg), createdBy, layer);
      } finally {
        await rm(secretDir, { recursive: true, force: true });
        for (const close of views) await close();
      }
    });
  }

  /** Mounts a stage's or image's root read-only until the returned closers run. */
  private async openView(from: string, closers: Array<() => Promise<void>>): Promise<string> {
    const st = this.plan.find(from);
    const state = st ? await this.stage(st.index) : await this.imageState(from);
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

  private async copy(ctx: StageCtx, ins: CopyInstruction, lookup: Lookup): Promise<BuildState> {
    const parent = ctx.state;
    const cfg = parent.config.config ?? {};
    const x = (w: string) => this.x(w, lookup, ins.line);
    const views: Array<() => Promise<void>> = [];
    try {
      let srcRoot = this.req.contextDir;
      let fromId = '';
      if (ins.from !== undefined) {
        const from = x(ins.from);
        const st = this.plan.find(from);
        fromId = st ? (await this.stage(st.index)).id : (await this.imageState(from)).id;
        srcRoot = await this.openView(from, views);
      }
      const spec = {
        kind: ins.kind,
        srcRoot,
        sources: ins.sources.map(x),
        inline: ins.contents.map((h) => ({
          name: h.name,
          content: h.expand ? this.x(h.content, lookup, ins.line) : h.content,
        })),
        dest: x(ins.dest),
        workdir: cfg.WorkingDir || '/',
        chown: ins.chown !== undefined ? x(ins.chown) : undefined,
        chmod: ins.chmod !== undefined ? x(ins.chmod) : undefined,
        scratch: this.scratch,
      };
      let plan: Awaited<ReturnType<typeof planCopy>>;
      try {
        plan = await planCopy(spec);
      } catch (e) {
        if (e instanceof InvalidArgumentError) this.fail(ins.line, errorMessage(e));
        throw e;
      }
      const what = plan.checksum.slice(7);
      const createdBy = `/bin/sh -c #(nop) ${ins.kind} ${ins.sources.some((s) => /^https?:/.test(s)) ? 'url' : 'file'}:${what} in ${spec.dest} `;
      return await this.cached([parent.id, ins.kind, plan.checksum, fromId, ins.link], async () => {
        const layer = await this.env.layers.layer(parent, (root) => applyCopy(spec, plan, root));
        return this.next(parent, structuredClone(cfg), createdBy, layer);
      });
    } finally {
      for (const close of views) await close();
    }
  }
}

/** A RUN that exited non-zero: the message Docker gives, and the code. */
export class StepFailed extends InvalidArgumentError {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

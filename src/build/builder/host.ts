/** What the instruction handlers (run-step.ts, copy-step.ts) get from the build session. */

import type { Lookup } from '../dockerfile/expand.ts';
import type { Stage } from '../dockerfile/stages.ts';
import type { BuildState } from './state.ts';
import type { StepSpec } from './step-cache.ts';
import type { BuildEnv, BuildRequest } from './types.ts';

/** A stage while it builds. */
export interface StageCtx {
  stage: Stage;
  state: BuildState;
  args: Map<string, string>;
  step: number;
}

export interface StepHost {
  readonly env: BuildEnv;
  readonly req: BuildRequest;
  /** This build's own scratch dir (downloads, secret files). */
  readonly scratch: string;
  readonly signal: AbortSignal;
  /** A `{"stream"}` line (not in quiet mode). */
  say(text: string): void;
  /** Throws a DockerfileError naming the line. */
  fail(line: number, msg: string): never;
  /** Expands variables in a word; a bad substitution fails naming the line. */
  x(word: string, lookup: Lookup, line: number): string;
  /** The state a `--from=` names: a stage of this build, or an image. */
  source(from: string): Promise<BuildState>;
  /** Mounts that state read-only until the closer pushed onto `closers` runs. */
  openView(from: string, closers: Array<() => Promise<void>>): Promise<string>;
  /** Runs a step through the cache (step-cache.ts). */
  step(parent: BuildState, spec: StepSpec): Promise<BuildState>;
}

/**
 * The typed syntax tree of a Dockerfile. Values are kept as written (no
 * variable substitution): the builder calls `expand()` at build time for the
 * instructions in EXPANSION_INSTRUCTIONS, with the ARG/ENV scope of that step.
 */

/** Exec form (`["a","b"]`, no shell) or shell form (run by the SHELL). */
export type CommandLine = { form: 'exec'; args: string[] } | { form: 'shell'; command: string };

export interface Heredoc {
  /** The terminator word with its quotes removed; for COPY/ADD also the file name. */
  name: string;
  /** The body, each line ending with "\n"; leading tabs already removed for `<<-`. */
  content: string;
  /** False when the terminator was quoted (`<<"EOF"`, `<<'EOF'`): no expansion of the body. */
  expand: boolean;
  /** `<<-`: leading tabs were stripped. */
  chomp: boolean;
  /** `3<<EOF` gives 3; 0 (stdin) by default. */
  fd: number;
}

export interface KeyValue {
  key: string;
  /** As written, quotes and escapes included; `expand()` removes them. */
  value: string;
}

export interface ArgDecl {
  name: string;
  /** The default as written, undefined for `ARG name`. */
  default?: string;
}

export type MountSharing = 'shared' | 'private' | 'locked';

/** One `--mount=` of RUN. Values as written; `hasVariables` says the builder must re-parse after expansion. */
export type RunMount =
  | { type: 'bind'; target: string; source?: string; from?: string; readonly: boolean; hasVariables: boolean }
  | {
      type: 'cache';
      target: string;
      id?: string;
      sharing: MountSharing;
      source?: string;
      from?: string;
      readonly: boolean;
      mode?: number;
      uid?: number;
      gid?: number;
      hasVariables: boolean;
    }
  | { type: 'tmpfs'; target: string; size?: number; hasVariables: boolean }
  | {
      type: 'secret' | 'ssh';
      id: string;
      /** Where the secret appears; for secrets with `env=` and no target, undefined. */
      target?: string;
      env?: string;
      required: boolean;
      mode: number;
      uid: number;
      gid: number;
      hasVariables: boolean;
    };

export interface Healthcheck {
  /** `["NONE"]`, `["CMD", ...args]` or `["CMD-SHELL", command]`, as in the image config. */
  test: string[];
  /** Durations in nanoseconds, as in the image config; undefined = inherit/default. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

interface Base {
  /** 1-based first and last line of the instruction (heredoc bodies included). */
  line: number;
  endLine: number;
  /** The logical line as written (continuations joined, comments dropped). */
  original: string;
}

export interface FromInstruction extends Base {
  kind: 'FROM';
  /** Image reference, `scratch`, or an earlier stage name, as written. */
  image: string;
  /** Stage name, lower-cased (`AS Build` gives `build`). */
  name?: string;
  platform?: string;
}
export interface RunInstruction extends Base {
  kind: 'RUN';
  command: CommandLine;
  heredocs: Heredoc[];
  mounts: RunMount[];
  network?: 'default' | 'none' | 'host';
  security?: 'sandbox' | 'insecure';
}
export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  command: CommandLine;
}
export interface EnvInstruction extends Base {
  kind: 'ENV' | 'LABEL';
  pairs: KeyValue[];
}
export interface ArgInstruction extends Base {
  kind: 'ARG';
  args: ArgDecl[];
}
export interface ExposeInstruction extends Base {
  kind: 'EXPOSE';
  ports: string[];
}
export interface ValueInstruction extends Base {
  kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'MAINTAINER';
  value: string;
}
export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Source paths (or URLs/git refs for ADD), as written. */
  sources: string[];
  /** Inline sources from heredocs (`COPY <<EOF /file`): the file name is `name`. */
  contents: Heredoc[];
  dest: string;
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD only. */
  checksum?: string;
  keepGitDir?: boolean;
  /** True when written in JSON form. */
  json: boolean;
}
export interface VolumeInstruction extends Base {
  kind: 'VOLUME';
  paths: string[];
}
export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  healthcheck: Healthcheck;
}
export interface ShellInstruction extends Base {
  kind: 'SHELL';
  shell: string[];
}
export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger as it is stored in the image config (text after ONBUILD). */
  expression: string;
  /** The same trigger, parsed (validated at parse time). */
  trigger: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EnvInstruction
  | ArgInstruction
  | ExposeInstruction
  | ValueInstruction
  | CopyInstruction
  | VolumeInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'];

export const INSTRUCTION_KINDS: readonly InstructionKind[] = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

/**
 * The instructions whose words Docker runs through variable substitution,
 * with the ARG/ENV scope of the step (ONBUILD: not at definition time; its
 * trigger is expanded when it runs). ARG: the default values.
 */
export const EXPANSION_INSTRUCTIONS: readonly InstructionKind[] = [
  'ADD',
  'ARG',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

export interface Directives {
  /** `# syntax=` value, when present (only docker/dockerfile frontends are accepted). */
  syntax?: string;
  /** The escape character: `\` or a backtick. */
  escape: '\\' | '`';
  /** `# check=` value, kept but not acted on. */
  check?: string;
}

export interface Warning {
  line: number;
  message: string;
}

export interface Dockerfile {
  /** The name used in error messages. */
  file: string;
  directives: Directives;
  instructions: Instruction[];
  warnings: Warning[];
}

/**
 * From one logical line to one typed instruction: the keyword, its flags
 * (checked per instruction), its arguments in the form that instruction
 * takes (JSON or shell, words, key=value pairs) and the argument counts.
 */
import type {
  CommandLine,
  CopyInstruction,
  Healthcheck,
  Heredoc,
  Instruction,
  InstructionKind,
  KeyValue,
} from './ast.ts';
import { INSTRUCTION_KINDS } from './ast.ts';
import { parseDuration } from './duration.ts';
import { SyntaxProblem } from './errors.ts';
import { type Flags, INSTRUCTION_FLAGS, parseFlags } from './flags.ts';
import { heredocsOf, type LogicalLine } from './lines.ts';
import { parseMount } from './mount.ts';
import { closest } from './suggest.ts';
import { extractFlags, parseJsonArray, parseWords, splitWhitespace } from './words.ts';

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const MIN_DURATION_NS = 1e6;

const atLeastOne = (k: string): SyntaxProblem => new SyntaxProblem(`${k} requires at least one argument`);
const exactlyOne = (k: string): SyntaxProblem => new SyntaxProblem(`${k} requires exactly one argument`);

export function parseInstruction(ll: LogicalLine, esc: string): Instruction {
  const m = /^\s*(\S+)\s*(.*?)\s*$/s.exec(ll.text);
  if (!m) throw new SyntaxProblem('empty instruction');
  const keyword = m[1];
  const kind = keyword.toUpperCase() as InstructionKind;
  if (!INSTRUCTION_KINDS.includes(kind)) {
    const hint = closest(keyword, INSTRUCTION_KINDS);
    throw new SyntaxProblem(`unknown instruction: ${keyword}${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  const { flags: flagWords, rest } = extractFlags(m[2]);
  const flags = parseFlags(flagWords, INSTRUCTION_FLAGS[kind] ?? {});
  const base = { line: ll.line, endLine: ll.endLine, original: ll.text.trim() };

  switch (kind) {
    case 'FROM': {
      const args = splitWhitespace(rest);
      let name: string | undefined;
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        name = args[2].toLowerCase();
        if (!STAGE_NAME.test(name)) {
          throw new SyntaxProblem(
            `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`,
          );
        }
      } else if (args.length !== 1) throw new SyntaxProblem('FROM requires either one or three arguments');
      return { ...base, kind, image: args[0], name, platform: flags.string('platform') };
    }
    case 'RUN': {
      const command = commandLine(rest);
      if (isEmpty(command) && ll.heredocs.length === 0) throw atLeastOne(kind);
      const network = flags.string('network');
      if (network !== undefined && !['default', 'none', 'host'].includes(network)) {
        throw new SyntaxProblem(`network mode "${network}" not supported (use default, none or host)`);
      }
      const security = flags.string('security');
      if (security !== undefined && !['sandbox', 'insecure'].includes(security)) {
        throw new SyntaxProblem(`security mode "${security}" not supported (use sandbox or insecure)`);
      }
      return {
        ...base,
        kind,
        command,
        heredocs: ll.heredocs,
        mounts: flags.list('mount').map((spec) => parseMount(spec)),
        network: network as 'default' | 'none' | 'host' | undefined,
        security: security as 'sandbox' | 'insecure' | undefined,
      };
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const command = commandLine(rest);
      return { ...base, kind, command: isEmpty(command) ? { form: 'exec', args: [] } : command };
    }
    case 'ENV':
    case 'LABEL':
      return { ...base, kind, pairs: keyValues(kind, rest, esc) };
    case 'ARG': {
      const words = parseWords(rest, esc);
      if (words.length === 0) throw atLeastOne(kind);
      const args = words.map((w) => {
        const eq = w.indexOf('=');
        const name = eq < 0 ? w : w.slice(0, eq);
        if (name === '') throw new SyntaxProblem('ARG names can not be blank');
        return eq < 0 ? { name } : { name, default: w.slice(eq + 1) };
      });
      return { ...base, kind, args };
    }
    case 'EXPOSE': {
      const ports = splitWhitespace(rest);
      if (ports.length === 0) throw atLeastOne(kind);
      return { ...base, kind, ports };
    }
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      if (rest === '') throw exactlyOne(kind);
      return { ...base, kind, value: rest };
    case 'COPY':
    case 'ADD':
      return copyInstruction(kind, rest, flags, ll, base);
    case 'VOLUME': {
      const json = parseJsonArray(rest);
      const paths = json ?? splitWhitespace(rest);
      if (paths.length === 0) throw atLeastOne(kind);
      if (paths.some((p) => p.trim() === '')) throw new SyntaxProblem('VOLUME specified can not be an empty string');
      return { ...base, kind, paths };
    }
    case 'HEALTHCHECK':
      return { ...base, kind, healthcheck: healthcheck(rest, flags) };
    case 'SHELL': {
      const shell = parseJsonArray(rest);
      if (shell === undefined) throw new SyntaxProblem('SHELL requires the arguments to be in JSON form');
      if (shell.length === 0) throw atLeastOne(kind);
      return { ...base, kind, shell };
    }
    case 'ONBUILD': {
      if (rest === '') throw atLeastOne(kind);
      const trigger = /^\S+/.exec(rest)![0].toUpperCase();
      if (trigger === 'ONBUILD') throw new SyntaxProblem("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER') {
        throw new SyntaxProblem(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      const inner = parseInstruction({ ...ll, text: rest }, esc);
      return { ...base, kind, expression: rest, trigger: inner };
    }
  }
}

function commandLine(rest: string): CommandLine {
  const json = parseJsonArray(rest);
  return json ? { form: 'exec', args: json } : { form: 'shell', command: rest };
}

function isEmpty(c: CommandLine): boolean {
  return c.form === 'exec' ? c.args.length === 0 : c.command.trim() === '';
}

function keyValues(kind: 'ENV' | 'LABEL', rest: string, esc: string): KeyValue[] {
  const words = parseWords(rest, esc);
  if (words.length === 0) throw atLeastOne(kind);
  let pairs: KeyValue[];
  if (!words[0].includes('=')) {
    const parts = /^(\S+)\s+(.*)$/s.exec(rest);
    if (!parts) throw new SyntaxProblem(`${kind} must have two arguments`);
    pairs = [{ key: parts[1], value: parts[2] }];
  } else {
    pairs = words.map((w) => {
      const eq = w.indexOf('=');
      if (eq < 0) throw new SyntaxProblem(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
      return { key: w.slice(0, eq), value: w.slice(eq + 1) };
    });
  }
  if (pairs.some((p) => p.key === '')) throw new SyntaxProblem(`${kind} names can not be blank`);
  return pairs;
}

function copyInstruction(
  kind: 'COPY' | 'ADD',
  rest: string,
  flags: Flags,
  ll: LogicalLine,
  base: { line: number; endLine: number; original: string },
): CopyInstruction {
  const json = parseJsonArray(rest);
  const args = json ?? splitWhitespace(rest);
  if (args.length < 2) {
    throw new SyntaxProblem(
      `${kind} requires at least two arguments, but only one was provided. Destination could not be determined.`,
    );
  }
  const dest = args[args.length - 1];
  if (!json && heredocsOf(dest).length > 0) throw new SyntaxProblem(`${kind} cannot accept a heredoc as a destination`);
  const sources: string[] = [];
  const contents: Heredoc[] = [];
  for (const src of args.slice(0, -1)) {
    const doc = json ? undefined : heredocsOf(src)[0];
    const body = doc && ll.heredocs.find((h) => h.name === doc.name);
    if (body) contents.push(body);
    else sources.push(src);
  }
  return {
    ...base,
    kind,
    sources,
    contents,
    dest,
    from: flags.string('from'),
    chown: flags.string('chown'),
    chmod: flags.string('chmod'),
    link: flags.bool('link'),
    parents: flags.bool('parents'),
    exclude: flags.list('exclude'),
    checksum: flags.string('checksum'),
    keepGitDir: kind === 'ADD' ? flags.bool('keep-git-dir') : undefined,
    json: json !== undefined,
  };
}

function healthcheck(rest: string, flags: Flags): Healthcheck {
  const m = /^(\S+)\s*(.*)$/s.exec(rest);
  if (!m) throw atLeastOne('HEALTHCHECK');
  const type = m[1].toUpperCase();
  if (type === 'NONE') {
    if (m[2] !== '') throw new SyntaxProblem('HEALTHCHECK NONE takes no arguments');
    return { test: ['NONE'] };
  }
  if (type !== 'CMD') throw new SyntaxProblem(`Unknown type "${m[1]}" in HEALTHCHECK (try CMD)`);
  const command = commandLine(m[2]);
  if (isEmpty(command)) throw new SyntaxProblem('Missing command after HEALTHCHECK CMD');
  const hc: Healthcheck = {
    test: command.form === 'exec' ? ['CMD', ...command.args] : ['CMD-SHELL', command.command],
  };
  const durations = [
    ['interval', 'interval'],
    ['timeout', 'timeout'],
    ['start-period', 'startPeriod'],
    ['start-interval', 'startInterval'],
  ] as const;
  for (const [flag, field] of durations) {
    const v = flags.string(flag);
    if (v === undefined || v === '') continue;
    const ns = parseDuration(v);
    if (ns === 0) continue;
    if (ns < MIN_DURATION_NS) throw new SyntaxProblem(`Interval "${flag}" cannot be less than 1ms`);
    hc[field] = ns;
  }
  const retries = flags.string('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[-+]?\d+$/.test(retries)) throw new SyntaxProblem(`invalid value for --retries: ${retries}`);
    const n = Number(retries);
    if (n < 0) throw new SyntaxProblem(`--retries cannot be negative (${n})`);
    hc.retries = n;
  }
  return hc;
}

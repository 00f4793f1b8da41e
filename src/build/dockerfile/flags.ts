/**
 * Instruction flags (`--name=value`), checked against what each instruction
 * accepts: an unknown flag, a duplicate, a missing value or a bad boolean is
 * an error.
 */
import { SyntaxProblem } from './errors.ts';

export type FlagType = 'string' | 'bool' | 'list';
export type FlagSpec = Record<string, FlagType>;

export interface Flags {
  string(name: string): string | undefined;
  bool(name: string): boolean;
  list(name: string): string[];
}

/** The flags each instruction accepts (none for the others). */
export const INSTRUCTION_FLAGS: Record<string, FlagSpec> = {
  FROM: { platform: 'string' },
  RUN: { mount: 'list', network: 'string', security: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'list' },
  ADD: {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    exclude: 'list',
  },
  HEALTHCHECK: {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  },
};

export function parseFlags(words: string[], spec: FlagSpec): Flags {
  const strings = new Map<string, string>();
  const bools = new Map<string, boolean>();
  const lists = new Map<string, string[]>();
  for (const word of words) {
    if (!word.startsWith('--')) throw new SyntaxProblem(`arguments must begin with '--': ${word}`);
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!type) throw new SyntaxProblem(`unknown flag: --${name}`);
    if (type === 'bool') {
      if (bools.has(name)) throw new SyntaxProblem(`duplicate flag specified: --${name}`);
      const v = value?.toLowerCase();
      if (v !== undefined && v !== '' && v !== 'true' && v !== 'false') {
        throw new SyntaxProblem(`expecting boolean value for flag --${name}, not: ${value}`);
      }
      bools.set(name, v !== 'false');
      continue;
    }
    if (value === undefined) throw new SyntaxProblem(`missing a value on flag: --${name}`);
    if (type === 'list') lists.set(name, [...(lists.get(name) ?? []), value]);
    else {
      if (strings.has(name)) throw new SyntaxProblem(`duplicate flag specified: --${name}`);
      strings.set(name, value);
    }
  }
  return {
    string: (n) => strings.get(n),
    bool: (n) => bools.get(n) ?? false,
    list: (n) => lists.get(n) ?? [],
  };
}

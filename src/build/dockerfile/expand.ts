/**
 * Variable substitution with Docker's rules (its "shell lexer"): `$VAR`,
 * `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
 * `${VAR:?msg}`, `${VAR?msg}`, `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`,
 * `${VAR%%pat}`; single quotes keep everything literal, double quotes allow
 * substitution, the escape character escapes the next one. Quotes and escapes
 * are removed from the result.
 */
import { SyntaxProblem } from './errors.ts';

/** Gives a variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export interface ExpandOptions {
  /** The escape character of the Dockerfile (`\` unless `# escape=`). */
  escape?: string;
  /** Leave quotes alone: no quote processing at all (heredoc bodies). */
  skipQuotes?: boolean;
  /** Keep quote characters in the result while still honouring them. */
  rawQuotes?: boolean;
  /** Keep escape characters in the result while still honouring them. */
  rawEscapes?: boolean;
  /** Leave `$NAME` of unset variables as written instead of the empty string. */
  skipUnset?: boolean;
}

/** A lookup over a plain object or map. */
export function lookupIn(vars: Record<string, string> | Map<string, string>): Lookup {
  if (vars instanceof Map) return (n) => vars.get(n);
  return (n) => (Object.hasOwn(vars, n) ? vars[n] : undefined);
}

/** Substitutes variables in one word and removes its quotes and escapes. */
export function expand(word: string, lookup: Lookup, options: ExpandOptions = {}): string {
  return new ShellWord(word, lookup, options).process().text;
}

/** Like `expand`, then splits the result into words on unquoted blanks (as a shell would). */
export function expandWords(text: string, lookup: Lookup, options: ExpandOptions = {}): string[] {
  return new ShellWord(text, lookup, options).process().words;
}

const SPECIAL_PARAMS = '@*#?-$!0';
const isSpace = (ch: string): boolean => /\s/u.test(ch);

class Words {
  readonly list: string[] = [];
  word = '';
  inWord = false;
  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.list.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else this.addRaw(ch);
  }
  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  done(): string[] {
    if (this.word.length > 0) this.list.push(this.word);
    this.word = '';
    this.inWord = false;
    return this.list;
  }
}

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private readonly escape: string;
  private readonly lookup: Lookup;
  private readonly o: ExpandOptions;
  constructor(text: string, lookup: Lookup, options: ExpandOptions) {
    this.chars = Array.from(text);
    this.lookup = lookup;
    this.o = options;
    this.escape = options.escape ?? '\\';
  }

  process(): { text: string; words: string[] } {
    const r = this.stopOn(undefined);
    return { text: r.text, words: r.words };
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }
  private next(): string | undefined {
    return this.chars[this.pos++];
  }

  private stopOn(stop: string | undefined): { text: string; words: string[] } {
    let text = '';
    const words = new Words();
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) break;
      if (stop !== undefined && ch === stop) {
        this.next();
        return { text, words: words.done() };
      }
      if (ch === '$') {
        const v = this.dollar();
        text += v;
        words.addString(v);
      } else if (!this.o.skipQuotes && (ch === "'" || ch === '"')) {
        const v = ch === "'" ? this.singleQuote() : this.doubleQuote();
        text += v;
        words.addRaw(v);
      } else {
        let c = this.next()!;
        if (c === this.escape) {
          if (this.o.rawEscapes) {
            words.addRaw(c);
            text += c;
          }
          const n = this.next();
          if (n === undefined) break;
          c = n;
          words.addRaw(c);
        } else words.addChar(c);
        text += c;
      }
    }
    if (stop !== undefined) throw new SyntaxProblem(`unexpected end of statement while looking for matching ${stop}`);
    return { text, words: words.done() };
  }

  private singleQuote(): string {
    const open = this.next()!;
    let out = this.o.rawQuotes ? open : '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined)
        throw new SyntaxProblem('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return this.o.rawQuotes ? out + ch : out;
      out += ch;
    }
  }

  private doubleQuote(): string {
    const open = this.next()!;
    let out = this.o.rawQuotes ? open : '';
    for (;;) {
      const p = this.peek();
      if (p === undefined)
        throw new SyntaxProblem('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.next();
        return this.o.rawQuotes ? `${out}"` : out;
      }
      if (p === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escape) {
        if (this.o.rawEscapes) out += ch;
        const n = this.peek();
        if (n === undefined) continue;
        if (n === '"' || n === '$' || n === this.escape) ch = this.next()!;
      }
      out += ch;
    }
  }

  private name(): string {
    let name = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) return name;
      if (name === '' && /\p{Nd}/u.test(ch)) {
        while (this.peek() !== undefined && /\p{Nd}/u.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.includes(ch)) return this.next()!;
      if (!/[\p{L}\p{Nd}_]/u.test(ch)) return name;
      name += this.next();
    }
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const v = this.lookup(name);
      if (v === undefined && this.o.skipUnset) return `$${name}`;
      return v ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new SyntaxProblem("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new SyntaxProblem('syntax error: bad substitution');
    const name = this.name();
    const value = this.lookup(name);
    const set = value !== undefined;
    const ch = this.next();
    switch (ch) {
      case undefined:
        throw new SyntaxProblem("syntax error: missing '}'");
      case '}':
        if (!set && this.o.skipUnset) return `\${${name}}`;
        return value ?? '';
      case ':': {
        const op = this.next();
        if (op !== '-' && op !== '+' && op !== '?') {
          throw new SyntaxProblem(`unsupported modifier (${ch}${op ?? ''}) in substitution`);
        }
        const word = this.stopOn('}').text;
        const empty = !set || value === '';
        if (op === '-') return empty ? word : value!;
        if (op === '+') return empty ? '' : word;
        if (empty) throw new SyntaxProblem(`${name}: ${word || 'is not allowed to be unset'}`);
        return value!;
      }
      case '-':
      case '+':
      case '?': {
        const word = this.stopOn('}').text;
        if (ch === '-') return set ? value! : word;
        if (ch === '+') return set ? word : '';
        if (!set) throw new SyntaxProblem(`${name}: ${word || 'is not allowed to be unset'}`);
        return value!;
      }
      case '#':
      case '%': {
        const longest = this.peek() === ch;
        if (longest) this.next();
        const pattern = this.stopOn('}').text;
        return trimPattern(value ?? '', pattern, ch === '#', longest);
      }
      default:
        throw new SyntaxProblem(`unsupported modifier (${ch}) in substitution`);
    }
  }
}

/** `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` with a shell glob pattern. */
function trimPattern(value: string, pattern: string, prefix: boolean, longest: boolean): string {
  const re = new RegExp(`^${globToRegex(pattern)}$`, 'su');
  const n = value.length;
  if (prefix) {
    for (let len = longest ? n : 0; longest ? len >= 0 : len <= n; len += longest ? -1 : 1) {
      if (re.test(value.slice(0, len))) return value.slice(len);
    }
  } else {
    for (let start = longest ? 0 : n; longest ? start <= n : start >= 0; start += longest ? 1 : -1) {
      if (re.test(value.slice(start))) return value.slice(0, start);
    }
  }
  return value;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '\\' && i + 1 < glob.length) out += escapeRe(glob[++i]);
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += escapeRe(ch);
  }
  return out;
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

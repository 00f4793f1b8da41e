/**
 * One .dockerignore pattern, matched the way Docker's patternmatcher does:
 * Go filepath.Match syntax (`*` and `?` never cross a `/`, `[...]` classes,
 * `\` escapes) plus `**` for any number of directories; patterns are
 * compiled once to a regular expression (or a plain string comparison).
 */
import { posix } from 'node:path';
import { InvalidArgumentError } from '../../lib/errors.ts';

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** Go's filepath.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  let c = posix.normalize(p);
  if (c.length > 1 && c.endsWith('/')) c = c.slice(0, -1);
  if (c.startsWith('/')) c = c.replace(/^\/(\.\.\/?)+/, '/').replace(/^\/\.\.$/, '/');
  return c === '' ? '.' : c;
}

const REGEX_SPECIAL = '.+()|{}$';

/** Checks what Go's filepath.Match would reject: an unclosed `[` or a trailing `\`. */
function validate(p: string): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      if (i + 1 === p.length) throw new InvalidArgumentError(`syntax error in pattern: ${p}`);
      i++;
    } else if (p[i] === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') throw new InvalidArgumentError(`syntax error in pattern: ${p}`);
      while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
      if (j >= p.length) throw new InvalidArgumentError(`syntax error in pattern: ${p}`);
      i = j;
    }
  }
}

export class Pattern {
  /** The cleaned pattern, without its `!`. */
  readonly text: string;
  readonly exclusion: boolean;
  /** The pattern's path segments. */
  readonly dirs: string[];
  private readonly type: MatchType;
  private readonly re?: RegExp;

  constructor(raw: string) {
    let p = cleanPath(raw.trim());
    let exclusion = false;
    if (p.startsWith('!')) {
      if (p.length === 1) throw new InvalidArgumentError('illegal exclusion pattern: "!"');
      exclusion = true;
      p = p.slice(1);
    }
    validate(p);
    this.text = p;
    this.exclusion = exclusion;
    this.dirs = p.split('/');
    const { type, source } = translate(p);
    this.type = type;
    if (type === 'regexp') this.re = new RegExp(source);
  }

  matches(path: string): boolean {
    switch (this.type) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1);
      }
      default:
        return this.re!.test(path);
    }
  }
}

/** Translates a pattern to a regular expression source (`^…$`) and the cheapest way to match it. */
export function translate(p: string): { type: MatchType; source: string } {
  let src = '^';
  let type: MatchType = 'exact';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '*') {
      if (p[i + 1] === '*') {
        const first = i === 0;
        i++;
        if (p[i + 1] === '/') i++;
        if (i + 1 >= p.length) {
          if (type === 'exact') type = 'prefix';
          else {
            src += '.*';
            type = 'regexp';
          }
        } else {
          src += '(.*/)?';
          type = 'regexp';
        }
        if (first) type = 'suffix';
      } else {
        src += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      src += '[^/]';
      type = 'regexp';
    } else if (REGEX_SPECIAL.includes(ch)) src += `\\${ch}`;
    else if (ch === '\\') {
      if (i + 1 < p.length) src += literal(p[++i]);
      else src += '\\\\';
      type = 'regexp';
    } else if (ch === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      j++;
      while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
      if (j >= p.length) src += '\\[';
      else {
        src += p.slice(i, j + 1).replace(/\\([A-Za-z0-9])/g, '$1');
        i = j;
        type = 'regexp';
      }
    } else if (ch === ']' || ch === '^') src += `\\${ch}`;
    else src += ch;
  }
  return { type, source: `${src}$` };
}

/** A character matched literally in a regular expression (`\d` would be a class: write `d`). */
function literal(ch: string): string {
  return /[A-Za-z0-9]/.test(ch) ? ch : `\\${ch}`;
}

/** Whether one path segment matches one pattern segment (for deciding whether to walk a directory). */
export function segmentMatches(patternSegment: string, segment: string): boolean {
  const { source } = translate(patternSegment);
  return new RegExp(source).test(segment);
}

/**
 * Word-level helpers of the Dockerfile grammar, as Docker's parser does them:
 * splitting ENV/LABEL/ARG words (quotes kept, for later expansion), the
 * leading `--flag` words of an instruction, whitespace splitting and the JSON
 * (exec) form.
 */
import { SyntaxProblem } from './errors.ts';

const isSpace = (ch: string): boolean => /\s/u.test(ch);

/**
 * Splits the arguments of ENV, LABEL and ARG into words. Quotes and escapes
 * only decide where a word ends; they stay in the word (substitution removes
 * them later). A single-quoted part cannot escape anything.
 */
export function parseWords(rest: string, esc: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i];
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote === '') {
      if (isSpace(ch)) {
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        inWord = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === esc) {
        if (i + 1 === chars.length) continue;
        word += ch;
        ch = chars[++i];
      }
      word += ch;
      continue;
    }
    if (ch === quote) quote = '';
    else if (ch === esc && quote !== "'") {
      if (i + 1 === chars.length) {
        quote = '';
        continue;
      }
      word += ch;
      ch = chars[++i];
    }
    word += ch;
  }
  if (inWord && (blankOk || word.length > 0)) words.push(word);
  return words;
}

/**
 * Takes the leading `--name[=value]` words off an instruction's arguments.
 * Flags may be quoted (`--chown="a b"`); `--` alone ends the flags.
 */
export function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return { flags, rest: '' };
    if (line[i] !== '-' || line[i + 1] !== '-') return { flags, rest: line.slice(i) };
    let word = '';
    let quote = '';
    let blankOk = false;
    for (; i < line.length; i++) {
      let ch = line[i];
      if (quote === '') {
        if (isSpace(ch)) break;
        if (ch === "'" || ch === '"') {
          quote = ch;
          blankOk = true;
          continue;
        }
      } else if (ch === quote) {
        quote = '';
        continue;
      }
      if (ch === '\\') {
        if (i + 1 === line.length) continue;
        ch = line[++i];
      }
      word += ch;
    }
    if (word === '--') return { flags, rest: line.slice(i).replace(/^\s+/u, '') };
    if (blankOk || word.length > 0) flags.push(word);
  }
}

/** Splits on runs of blanks (FROM, EXPOSE, the word form of VOLUME/COPY/ADD). */
export function splitWhitespace(rest: string): string[] {
  const t = rest.trim();
  return t === '' ? [] : t.split(/[\t\v\f\r ]+/u);
}

/**
 * The JSON (exec) form: undefined when `rest` is not a JSON array (then it is
 * shell form); a problem when it is a JSON array holding anything but strings.
 */
export function parseJsonArray(rest: string): string[] | undefined {
  const t = rest.trimStart();
  if (!t.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    throw new SyntaxProblem('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

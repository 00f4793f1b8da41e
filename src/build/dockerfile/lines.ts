/**
 * The line layer of the Dockerfile grammar: parser directives at the top,
 * comments, line continuations (comment and blank lines inside a continuation
 * are skipped, as BuildKit does) and heredoc bodies. Produces one logical
 * line per instruction with its line range.
 */
import type { Directives, Heredoc, Warning } from './ast.ts';
import { SyntaxProblem } from './errors.ts';
import { expandWords } from './expand.ts';
import { extractFlags, parseJsonArray } from './words.ts';

export interface LogicalLine {
  line: number;
  endLine: number;
  text: string;
  heredocs: Heredoc[];
}

/** A problem at a known line range of the file. */
export class LineProblem extends Error {
  readonly line: number;
  readonly endLine: number;
  constructor(line: number, message: string, endLine = line) {
    super(message);
    this.line = line;
    this.endLine = endLine;
  }
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

interface SourceLine {
  text: string;
  newline: boolean;
}

function splitLines(src: string): SourceLine[] {
  const parts = src.split('\n');
  const out: SourceLine[] = [];
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    if (last && p === '') return;
    out.push({ text: p.endsWith('\r') ? p.slice(0, -1) : p, newline: !last });
  });
  if (out.length > 0 && out[0].text.startsWith('\uFEFF')) out[0].text = out[0].text.slice(1);
  return out;
}

const isComment = (t: string): boolean => t.trimStart().startsWith('#');

export function scanLines(src: string): { directives: Directives; lines: LogicalLine[]; warnings: Warning[] } {
  const lines = splitLines(src);
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let directivesDone = false;
  let continuation = /\\[ \t]*$/;
  const out: LogicalLine[] = [];
  const warnings: Warning[] = [];

  const directive = (text: string, lineNo: number): void => {
    const m = DIRECTIVE.exec(text);
    const key = m?.[1].toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key)) {
      directivesDone = true;
      return;
    }
    if (seen.has(key)) throw new LineProblem(lineNo, `only one ${key} parser directive can be used`);
    seen.add(key);
    const value = m[2];
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') {
        throw new LineProblem(lineNo, `invalid escape token '${value}' does not match \` or \\`);
      }
      directives.escape = value;
      continuation = value === '`' ? /`[ \t]*$/ : /\\[ \t]*$/;
    } else if (key === 'syntax') directives.syntax = value;
    else directives.check = value;
  };

  const trimContinuation = (t: string): { text: string; more: boolean } => {
    const m = continuation.exec(t);
    return m ? { text: t.slice(0, m.index), more: true } : { text: t, more: false };
  };

  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const first = lines[i++].text.trimStart();
    if (!directivesDone) directive(first, lineNo);
    if (isComment(first)) continue;
    let { text, more } = trimContinuation(first);
    if (!more && text.length === 0) continue;
    let buf = text;
    let emptyContinuation = false;
    while (more && i < lines.length) {
      const l = lines[i++].text;
      if (isComment(l)) continue;
      if (l.trimStart() === '') {
        emptyContinuation = true;
        continue;
      }
      ({ text, more } = trimContinuation(l));
      buf += text;
    }
    if (emptyContinuation) warnings.push({ line: lineNo, message: `Empty continuation line found in: ${buf}` });
    const heredocs: Heredoc[] = [];
    if (wantsHeredocs(buf)) {
      for (const h of heredocsOf(buf)) {
        let terminated = false;
        while (i < lines.length) {
          const l = lines[i++];
          const candidate = h.chomp ? l.text.replace(/^\t+/, '') : l.text;
          if (candidate === h.name) {
            terminated = true;
            break;
          }
          h.content += l.text + (l.newline ? '\n' : '');
        }
        if (!terminated) throw new LineProblem(lineNo, `unterminated heredoc ${h.name}`, i);
        if (h.chomp) h.content = h.content.replace(/^\t+/gm, '');
        heredocs.push(h);
      }
    }
    out.push({ line: lineNo, endLine: i, text: buf, heredocs });
  }
  return { directives, lines: out, warnings };
}

/** RUN, COPY and ADD (also behind ONBUILD) in shell/word form may carry heredocs. */
function wantsHeredocs(line: string): boolean {
  if (!line.includes('<<')) return false;
  let m = /^\s*(\S+)\s*(.*)$/s.exec(line);
  if (m && m[1].toLowerCase() === 'onbuild') m = /^\s*(\S+)\s*(.*)$/s.exec(m[2]);
  if (!m || !['run', 'copy', 'add'].includes(m[1].toLowerCase())) return false;
  try {
    return parseJsonArray(extractFlags(m[2]).rest) === undefined;
  } catch {
    return false;
  }
}

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/s;
const none = (): undefined => undefined;

/** The heredocs a line opens, in order (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`). */
export function heredocsOf(line: string): Heredoc[] {
  let words: string[];
  try {
    words = expandWords(line, none, { rawQuotes: true, rawEscapes: true });
  } catch {
    return [];
  }
  const docs: Heredoc[] = [];
  for (const w of words) {
    const m = HEREDOC_WORD.exec(w);
    if (!m || m[3] === '') continue;
    let plain: string[];
    let raw: string[];
    try {
      plain = expandWords(m[3], none, { skipUnset: true });
      raw = expandWords(m[3], none, { skipUnset: true, rawQuotes: true });
    } catch (e) {
      throw new SyntaxProblem(`bad heredoc ${w}: ${(e as Error).message}`);
    }
    if (plain.length !== 1 || raw.length !== 1) continue;
    const quotes = (s: string): number => s.replace(/[^'"]/g, '').length;
    docs.push({
      name: plain[0],
      content: '',
      expand: quotes(plain[0]) === quotes(raw[0]),
      chomp: m[2] === '-',
      fd: m[1] === '' ? 0 : Number(m[1]),
    });
  }
  return docs;
}

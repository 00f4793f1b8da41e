/**
 * A Compose file read from disk: the YAML document with a line counter, so
 * that any later error about a path in it can say where it is.
 */
import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ComposeError, type ConfigPath } from './errors.ts';

export interface SourceFile {
  file: string;
  doc: Document | undefined;
  lines: LineCounter | undefined;
  /** The plain data (aliases and merge keys resolved). */
  data: Record<string, unknown>;
}

export function parseSource(file: string, text: string): SourceFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new ComposeError(`invalid YAML: ${e.message.split('\n')[0]}`, { file, line: pos.line, col: pos.col });
  }
  const data = doc.toJS({ maxAliasCount: 10_000 }) as unknown;
  if (data === null || data === undefined) throw new ComposeError('empty compose file', { file });
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ComposeError('top-level object must be a mapping', { file });
  return { file, doc, lines, data: data as Record<string, unknown> };
}

export function readSource(file: string): SourceFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ComposeError(`cannot read compose file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      file,
    });
  }
  return parseSource(file, text);
}

/** Line and column of the deepest node on `path` that exists in the document. */
export function locate(src: SourceFile | undefined, path: ConfigPath): { line?: number; col?: number } {
  if (!src?.doc || !src.lines) return {};
  for (let n = path.length; n >= 0; n--) {
    const last = path[n - 1];
    if (n > 0 && typeof last === 'string') {
      // Point at the key of a mapping entry rather than at its value.
      const parent = n === 1 ? src.doc.contents : src.doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === last);
        if (pair && isNode(pair.key) && pair.key.range) {
          const p = src.lines.linePos(pair.key.range[0]);
          return { line: p.line, col: p.col };
        }
      }
      if (isSeq(parent)) {
        // A name in a list (depends_on: [db]) stands for the entry of that name.
        const item = parent.items.find((it) => isScalar(it) && String(it.value) === last);
        if (isNode(item) && item.range) {
          const p = src.lines.linePos(item.range[0]);
          return { line: p.line, col: p.col };
        }
      }
    }
    const node = n === 0 ? src.doc.contents : src.doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const p = src.lines.linePos(node.range[0]);
      return { line: p.line, col: p.col };
    }
  }
  return {};
}

/** A ComposeError placed in `src` at `path`. */
export function errorAt(src: SourceFile | undefined, path: ConfigPath, problem: string): ComposeError {
  return new ComposeError(problem, { file: src?.file, path, ...locate(src, path) });
}

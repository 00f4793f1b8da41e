/**
 * Errors of the Compose loader: each names the file, the path in it (dotted,
 * `services.web.ports[0]`), the line and column when known, and the problem.
 */
import { InvalidArgumentError } from '../lib/errors.ts';

export type ConfigPath = Array<string | number>;

export function pathText(path: ConfigPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(top level)';
}

export class ComposeError extends InvalidArgumentError {
  readonly file: string | undefined;
  readonly path: ConfigPath;
  readonly problem: string;
  constructor(problem: string, o: { file?: string; path?: ConfigPath; line?: number; col?: number } = {}) {
    const where = o.file ? `${o.file}${o.line ? `:${o.line}:${o.col ?? 1}` : ''}: ` : '';
    const at = o.path?.length ? `${pathText(o.path)}: ` : '';
    super(`${where}${at}${problem}`);
    this.file = o.file;
    this.path = o.path ?? [];
    this.problem = problem;
  }
}

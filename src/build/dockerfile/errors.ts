import { InvalidArgumentError } from '../../lib/errors.ts';

/**
 * A Dockerfile that cannot be parsed or is used wrongly. The message names
 * the file, the line and what is wrong: `Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)`.
 */
export class DockerfileError extends InvalidArgumentError {
  readonly file: string;
  /** 1-based first line of the offending instruction (0 when the whole file is concerned). */
  readonly line: number;
  readonly endLine: number;
  /** What is wrong, without the location. */
  readonly detail: string;
  constructor(file: string, line: number, detail: string, endLine = line, options?: { cause?: unknown }) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`, options);
    this.file = file;
    this.line = line;
    this.endLine = endLine;
    this.detail = detail;
  }
}

/**
 * A problem found where the location is not known: the parser turns it into a
 * DockerfileError with file and line; `expand()` and `parseMount()` throw it
 * as is to the builder (an InvalidArgumentError, so edges map it like one).
 */
export class SyntaxProblem extends InvalidArgumentError {}

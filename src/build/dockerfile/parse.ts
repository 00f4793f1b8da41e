/**
 * parseDockerfile: text → typed Dockerfile. Every problem becomes a
 * DockerfileError naming the file and the line.
 */
import type { Dockerfile, Instruction } from './ast.ts';
import { DockerfileError, SyntaxProblem } from './errors.ts';
import { parseInstruction } from './instructions.ts';
import { LineProblem, scanLines } from './lines.ts';

export interface ParseOptions {
  /** The name used in error messages (default `Dockerfile`). */
  file?: string;
}

/** `docker/dockerfile[:tag][@sha256:…]`, optionally on docker.io: served by the built-in frontend. */
const DOCKERFILE_FRONTEND =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?docker\/dockerfile(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isBuiltinFrontend(syntax: string): boolean {
  return DOCKERFILE_FRONTEND.test(syntax.trim());
}

export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const file = options.file ?? 'Dockerfile';
  let scanned: ReturnType<typeof scanLines>;
  try {
    scanned = scanLines(text);
  } catch (e) {
    if (e instanceof LineProblem) throw new DockerfileError(file, e.line, e.message, e.endLine);
    if (e instanceof SyntaxProblem) throw new DockerfileError(file, 0, e.message);
    throw e;
  }
  const { directives, lines, warnings } = scanned;
  if (directives.syntax !== undefined && !isBuiltinFrontend(directives.syntax)) {
    const at = directiveLine(text, 'syntax');
    throw new DockerfileError(
      file,
      at,
      `unsupported frontend "${directives.syntax}": only docker/dockerfile (the built-in frontend) is available`,
    );
  }
  const instructions: Instruction[] = [];
  for (const ll of lines) {
    try {
      instructions.push(parseInstruction(ll, directives.escape));
    } catch (e) {
      if (e instanceof SyntaxProblem) throw new DockerfileError(file, ll.line, e.message, ll.endLine, { cause: e });
      throw e;
    }
  }
  checkStructure(file, instructions);
  return { file, directives, instructions, warnings };
}

function checkStructure(file: string, instructions: Instruction[]): void {
  if (instructions.length === 0) throw new DockerfileError(file, 0, 'file with no instructions');
  const firstNonArg = instructions.find((i) => i.kind !== 'ARG');
  if (!firstNonArg) throw new DockerfileError(file, 0, 'no build stage: the file has no FROM instruction');
  if (firstNonArg.kind !== 'FROM') {
    throw new DockerfileError(
      file,
      firstNonArg.line,
      `${firstNonArg.kind} before the first FROM: no build stage in current context (only ARG may come before FROM)`,
    );
  }
  const names = new Set<string>();
  for (const i of instructions) {
    if (i.kind !== 'FROM' || i.name === undefined) continue;
    if (names.has(i.name)) throw new DockerfileError(file, i.line, `duplicate stage name "${i.name}"`);
    names.add(i.name);
  }
}

function directiveLine(text: string, name: string): number {
  const lines = text.split('\n');
  const idx = lines.findIndex((l) => new RegExp(`^\\s*#\\s*${name}\\s*=`, 'i').test(l));
  return idx + 1;
}

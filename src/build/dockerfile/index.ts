/**
 * The Dockerfile front end, pure (imports only lib): parse a Dockerfile into
 * a typed AST, substitute variables with Docker's rules, and plan stages.
 *
 *   const df = parseDockerfile(text, { file: 'Dockerfile' });
 *   const plan = stages(df, { buildArgs }).needed(target); // Stage[][] levels
 *   expand('${HOME:-/root}/x', lookupIn(env), { escape: df.directives.escape });
 */
export * from './ast.ts';
export { parseDuration } from './duration.ts';
export { DockerfileError, SyntaxProblem } from './errors.ts';
export { type ExpandOptions, expand, expandWords, type Lookup, lookupIn } from './expand.ts';
export { heredocsOf } from './lines.ts';
export { parseMount, parseSize } from './mount.ts';
export { isBuiltinFrontend, type ParseOptions, parseDockerfile } from './parse.ts';
export { type Stage, type StageBase, type Stages, type StagesOptions, stages } from './stages.ts';
export { parseWords } from './words.ts';

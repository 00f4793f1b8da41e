/**
 * The build context, pure of engine concerns (the CLI uses it too):
 * .dockerignore matching and the filtered context tar stream.
 *
 *   const tarStream = contextTar(dir, { dockerfile: 'Dockerfile' });
 *   const excluded = compileIgnore(text); excluded('node_modules/x', false);
 */
export { compileIgnore, type IgnoreMatcher, readIgnorePatterns } from './ignore.ts';
export { cleanPath, Pattern } from './match.ts';
export { type ContextTarOptions, contextTar, type ExtraFile } from './tar.ts';

/**
 * Which files make the project and what it is called: `-f` flags, else
 * COMPOSE_FILE (split on COMPOSE_PATH_SEPARATOR, default ":"), else the
 * first of compose.yaml, compose.yml, docker-compose.yaml,
 * docker-compose.yml found in the working directory or a parent (with its
 * `*.override.*` file beside it). Project names follow the spec's rule
 * `^[a-z0-9][a-z0-9_-]*$`; a directory name is normalised to fit it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ComposeError } from './errors.ts';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDES: Record<string, string[]> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
};

export function findComposeFiles(
  cwd: string,
  flags: string[] | undefined,
  env: Record<string, string | undefined>,
): string[] {
  if (flags?.length) return flags.map((f) => (f === '-' ? f : resolve(cwd, f)));
  if (env.COMPOSE_FILE) {
    const sep = env.COMPOSE_PATH_SEPARATOR || ':';
    return env.COMPOSE_FILE.split(sep)
      .filter(Boolean)
      .map((f) => resolve(cwd, f));
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of DEFAULT_FILES) {
      const f = join(dir, name);
      if (existsSync(f)) {
        const over = OVERRIDES[name].map((o) => join(dir, o)).find((o) => existsSync(o));
        return over ? [f, over] : [f];
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw new ComposeError(
    `no configuration file provided: not found (looked for ${DEFAULT_FILES.join(', ')} in ${cwd} and its parents)`,
  );
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function isValidProjectName(n: string): boolean {
  return NAME.test(n);
}

/** A directory name made into a project name: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(n: string): string {
  return n
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

export function chooseProjectName(o: { flag?: string; env?: string; fromFile?: string; projectDir: string }): string {
  for (const [n, source] of [
    [o.flag, '--project-name'],
    [o.env, 'COMPOSE_PROJECT_NAME'],
    [o.fromFile, 'the "name" attribute'],
  ] as const) {
    if (!n) continue;
    if (!isValidProjectName(n))
      throw new ComposeError(
        `invalid project name "${n}" (from ${source}): it must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit`,
      );
    return n;
  }
  const n = normalizeProjectName(basename(o.projectDir));
  if (!n)
    throw new ComposeError(`cannot derive a project name from the directory "${o.projectDir}": use --project-name`);
  return n;
}

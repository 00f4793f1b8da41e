/**
 * Loads a Compose project: finds the files, reads `.env`, loads each file
 * (model.ts), applies `include`, merges the files in order, names the
 * project, then finishes it (project.ts): profiles, environment, default
 * network, and the checks that refuse a bad project before anything starts.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readDotenv } from './dotenv.ts';
import { ComposeError } from './errors.ts';
import { chooseProjectName, findComposeFiles } from './files.ts';
import type { Lookup } from './interpolate.ts';
import { mergeModels } from './merge.ts';
import { applyExtends, type FileModel, loadFileModel, type ModelContext, modelFromSource, type Raw } from './model.ts';
import { resolvePath } from './paths.ts';
import { finishProject } from './project.ts';
import { errorAt, parseSource } from './source.ts';
import type { Project } from './types.ts';

export interface LoadOptions {
  /** `-f` files, in order. */
  files?: string[];
  projectName?: string;
  projectDirectory?: string;
  /** `--env-file` (default: `.env` in the project directory). */
  envFiles?: string[];
  /** `--profile` (default: COMPOSE_PROFILES). */
  profiles?: string[];
  /** Services named on the command line: enabled whatever their profiles. */
  services?: string[];
  /** The process environment (default process.env). */
  environment?: Record<string, string | undefined>;
  cwd?: string;
  /** Text of a file given as `-f -`. */
  stdin?: string;
}

function envFrom(files: string[], base: Record<string, string | undefined>, required: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (!existsSync(f)) {
      if (required) throw new ComposeError('env file not found', { file: f });
      continue;
    }
    const lookup: Lookup = (n) => base[n] ?? out[n];
    for (const [k, v] of readDotenv(f, lookup)) if (v !== undefined) out[k] = v;
  }
  return out;
}

export function loadProject(o: LoadOptions = {}): Project {
  const cwd = o.cwd ?? process.cwd();
  const procEnv = o.environment ?? process.env;
  // .env in the working (or given) directory may set COMPOSE_FILE and friends.
  const firstDir = o.projectDirectory ? resolve(cwd, o.projectDirectory) : cwd;
  const explicitEnv = o.envFiles?.map((f) => resolve(cwd, f));
  let dotenv = envFrom(explicitEnv ?? [resolve(firstDir, '.env')], procEnv, !!explicitEnv);
  let env: Record<string, string | undefined> = { ...dotenv, ...procEnv };
  const files = findComposeFiles(cwd, o.files, env);
  const projectDir = o.projectDirectory ? resolve(cwd, o.projectDirectory) : files[0] === '-' ? cwd : dirname(files[0]);
  if (!explicitEnv && projectDir !== firstDir) {
    dotenv = envFrom([resolve(projectDir, '.env')], procEnv, false);
    env = { ...dotenv, ...procEnv };
  }
  const lookup: Lookup = (n) => env[n];
  const ctx: ModelContext = { lookup, dir: projectDir, sources: [], cache: new Map() };
  let merged: Raw = {};
  for (const f of files) {
    const fm = f === '-' ? modelFromSource(parseSource('-', o.stdin ?? ''), ctx) : loadFileModel(f, ctx);
    applyExtends(fm, ctx);
    applyIncludes(fm, ctx, env);
    merged = mergeModels(merged, fm.model);
  }
  const name = chooseProjectName({
    flag: o.projectName,
    env: env.COMPOSE_PROJECT_NAME,
    fromFile: merged.name as string | undefined,
    projectDir,
  });
  const profiles = o.profiles?.length ? o.profiles : (env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean);
  const environment = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return finishProject(merged, {
    name,
    workingDir: projectDir,
    configFiles: files,
    environment,
    profiles,
    enable: o.services ?? [],
    sources: ctx.sources,
  });
}

/** `include`: each entry is loaded as a project of its own and its resources join this model. */
function applyIncludes(fm: FileModel, ctx: ModelContext, env: Record<string, string | undefined>): void {
  const inc = fm.model.include as Array<
    string | { path: string | string[]; env_file?: string | string[]; project_directory?: string }
  >;
  if (!inc) return;
  const baseDir = fm.src.file === '-' ? ctx.dir : dirname(fm.src.file);
  inc.forEach((entry, i) => {
    const e = typeof entry === 'string' ? { path: entry } : entry;
    const paths = (Array.isArray(e.path) ? e.path : [e.path]).map((p) => resolvePath(baseDir, p));
    const dir = e.project_directory ? resolvePath(baseDir, e.project_directory) : dirname(paths[0]);
    const envFiles = e.env_file
      ? (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((p) => resolvePath(baseDir, p))
      : [resolve(dir, '.env')];
    const subEnv = { ...envFrom(envFiles, env, !!e.env_file), ...env };
    const sub: ModelContext = { lookup: (n) => subEnv[n], dir, sources: ctx.sources, cache: new Map() };
    let model: Raw = {};
    for (const p of paths) {
      const m = loadFileModel(p, sub, dir);
      applyExtends(m, sub);
      applyIncludes(m, sub, subEnv);
      model = mergeModels(model, m.model);
    }
    for (const kind of ['services', 'networks', 'volumes', 'secrets', 'configs'] as const) {
      fm.model[kind] ??= {};
      const mine = fm.model[kind] as Raw;
      for (const [name, v] of Object.entries((model[kind] as Raw) ?? {})) {
        if (mine[name] !== undefined && JSON.stringify(mine[name]) !== JSON.stringify(v))
          throw errorAt(
            fm.src,
            ['include', i],
            `${kind.slice(0, -1)} "${name}" from ${paths[0]} conflicts with one defined here`,
          );
        mine[name] = v;
      }
    }
  });
  delete fm.model.include;
}

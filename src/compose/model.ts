/**
 * One Compose file made into a canonical model: parsed, interpolated,
 * checked against the schema, coerced, services in long form with their
 * paths resolved, `extends` applied. Used for every `-f` file, for the
 * files `extends` and `include` name.
 */
import { dirname } from 'node:path';
import { canonicalService } from './canonical.ts';
import { composeSchema, serviceSchema } from './compose-schema.ts';
import { ComposeError } from './errors.ts';
import { InterpolationError, interpolateTree, type Lookup } from './interpolate.ts';
import { mergeService } from './merge.ts';
import { resolveFileObjects, resolveServicePaths } from './paths.ts';
import { check, coerce } from './schema.ts';
import { errorAt, readSource, type SourceFile } from './source.ts';
import type { FileObjectConfig, ServiceConfig } from './types.ts';

export type Raw = Record<string, unknown>;

export interface FileModel {
  src: SourceFile;
  model: Raw;
}

export interface ModelContext {
  lookup: Lookup;
  /** Directory relative paths resolve against (the project directory). */
  dir: string;
  /** Every file read, for error placement. */
  sources: SourceFile[];
  /** Files already parsed (extends of one file by several services). */
  cache: Map<string, FileModel>;
}

/** Reads, interpolates, checks and canonicalises one file (no extends yet). */
export function loadFileModel(file: string, ctx: ModelContext, dir = ctx.dir): FileModel {
  const key = `${file}\0${dir}`;
  const cached = ctx.cache.get(key);
  if (cached) return cached;
  const fm = modelFromSource(readSource(file), ctx, dir);
  ctx.cache.set(key, fm);
  return fm;
}

/** The same steps for text already parsed (a file, or `-f -` from stdin). */
export function modelFromSource(src: SourceFile, ctx: ModelContext, dir = ctx.dir): FileModel {
  ctx.sources.push(src);
  let data: unknown;
  try {
    data = interpolateTree(src.data, ctx.lookup);
  } catch (e) {
    if (e instanceof InterpolationError) throw errorAt(src, e.path, e.message);
    throw e;
  }
  const issue = check(composeSchema, data);
  if (issue) throw errorAt(src, issue.path, issue.problem);
  const model = coerce(composeSchema, data) as Raw;
  const services: Record<string, ServiceConfig> = {};
  for (const [name, raw] of Object.entries((model.services as Record<string, Raw>) ?? {})) {
    try {
      services[name] = resolveServicePaths(canonicalService(raw, ['services', name]), dir);
    } catch (e) {
      if (e instanceof ComposeError && !e.file) throw errorAt(src, e.path, e.problem);
      throw e;
    }
  }
  model.services = services;
  for (const k of ['secrets', 'configs'] as const)
    if (model[k]) model[k] = resolveFileObjects(model[k] as Record<string, FileObjectConfig>, dir);
  return { src, model };
}

/** Applies `extends` to every service of a file model (in place), following chains across files. */
export function applyExtends(fm: FileModel, ctx: ModelContext, chain: string[] = []): void {
  const services = fm.model.services as Record<string, ServiceConfig>;
  const resolveOne = (name: string, seen: string[]): ServiceConfig => {
    const s = services[name];
    if (!s.extends) return s;
    const ext = s.extends;
    const id = `${ext.file ?? fm.src.file}#${ext.service}`;
    const here = `${fm.src.file}#${name}`;
    if (seen.includes(here) || id === here)
      throw errorAt(fm.src, ['services', name, 'extends'], `circular extends: ${[...seen, here, id].join(' -> ')}`);
    let base: ServiceConfig;
    if (ext.file && ext.file !== fm.src.file) {
      const other = loadFileModel(ext.file, ctx, dirname(ext.file));
      const os = (other.model.services as Record<string, ServiceConfig>)[ext.service];
      if (!os)
        throw errorAt(
          fm.src,
          ['services', name, 'extends', 'service'],
          `service "${ext.service}" not found in ${ext.file}`,
        );
      applyExtends(other, ctx, [...seen, here]);
      base = (other.model.services as Record<string, ServiceConfig>)[ext.service];
    } else {
      if (!services[ext.service])
        throw errorAt(fm.src, ['services', name, 'extends', 'service'], `service "${ext.service}" not found`);
      base = resolveOne(ext.service, [...seen, here]);
    }
    const { extends: _drop, ...own } = s;
    const merged = mergeService(base, own);
    delete merged.extends;
    services[name] = merged;
    return merged;
  };
  for (const name of Object.keys(services)) resolveOne(name, chain);
}

/** Checks a single service against the schema (for services built by the CLI, e.g. `run` overrides). */
export function checkService(raw: unknown): string | undefined {
  const e = check(serviceSchema, raw);
  return e ? `${e.path.join('.')}: ${e.problem}` : undefined;
}

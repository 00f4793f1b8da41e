/**
 * Resolving the relative paths of a service (build context, env files,
 * bind sources, extends files) against the directory of the file that
 * wrote them, and `~` against the home directory.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { FileObjectConfig, ServiceConfig } from './types.ts';

export function resolvePath(dir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** A build context that is a URL (git, http) stays as written. */
function isRemote(ctx: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(ctx) || ctx.endsWith('.git');
}

export function resolveServicePaths(s: ServiceConfig, dir: string): ServiceConfig {
  const out: ServiceConfig = { ...s };
  if (s.build && !isRemote(s.build.context)) out.build = { ...s.build, context: resolvePath(dir, s.build.context) };
  if (s.env_file) out.env_file = s.env_file.map((e) => ({ ...e, path: resolvePath(dir, e.path) }));
  if (s.volumes)
    out.volumes = s.volumes.map((v) =>
      v.type === 'bind' && v.source ? { ...v, source: resolvePath(dir, v.source) } : v,
    );
  if (s.extends?.file) out.extends = { ...s.extends, file: resolvePath(dir, s.extends.file) };
  if (Array.isArray(s.label_file)) out.label_file = (s.label_file as string[]).map((f) => resolvePath(dir, f));
  return out;
}

export function resolveFileObjects(
  objs: Record<string, FileObjectConfig> | undefined,
  dir: string,
): Record<string, FileObjectConfig> {
  const out: Record<string, FileObjectConfig> = {};
  for (const [k, v] of Object.entries(objs ?? {}))
    out[k] = v?.file ? { ...v, file: resolvePath(dir, v.file) } : (v ?? {});
  return out;
}

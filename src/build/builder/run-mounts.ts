/**
 * `RUN --mount=` to runtime mounts: cache (a directory kept between builds,
 * DATA_ROOT/build/cache-mounts/HASH), bind (from the context or another
 * stage/image, always read-only: BuildKit throws writes away, Berth refuses
 * them), tmpfs, and secret (a file with the secret's contents, or an
 * environment variable with `env=`).
 */
import { createHash } from 'node:crypto';
import { chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { resolveInRoot } from '../../engine/containers/rootfs-path.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import type { MountInput } from '../../runtime/spec-input.ts';
import type { RunMount } from '../dockerfile/ast.ts';

export interface MountContext {
  /** DATA_ROOT/build */
  scratch: string;
  /** Directory for this step's secret files (removed by the caller). */
  secretDir: string;
  secrets: Record<string, Buffer>;
  contextDir: string;
  workdir: string;
  expand: (v: string) => string;
  /** Root of a stage or image named by `from=` (mounted by the caller). */
  fromRoot: (from: string) => string;
}

export interface ResolvedMounts {
  mounts: MountInput[];
  env: string[];
}

function abs(target: string, workdir: string): string {
  return target.startsWith('/') ? posix.normalize(target) : posix.join(workdir || '/', target);
}

export async function resolveRunMounts(list: RunMount[], c: MountContext): Promise<ResolvedMounts> {
  const mounts: MountInput[] = [];
  const env: string[] = [];
  for (const m of list) {
    const x = (v: string | undefined) => (v === undefined ? undefined : m.hasVariables ? c.expand(v) : v);
    switch (m.type) {
      case 'cache': {
        const target = abs(x(m.target) as string, c.workdir);
        const id = x(m.id) ?? target;
        const dir = join(c.scratch, 'cache-mounts', createHash('sha256').update(id).digest('hex').slice(0, 32));
        let fresh = false;
        try {
          await stat(dir);
        } catch {
          fresh = true;
        }
        if (fresh) {
          await mkdir(dir, { recursive: true, mode: m.mode ?? 0o755 });
          await chown(dir, m.uid ?? 0, m.gid ?? 0);
        }
        mounts.push({ type: 'bind', source: dir, target, readonly: m.readonly });
        break;
      }
      case 'bind': {
        const target = abs(x(m.target) as string, c.workdir);
        const from = x(m.from);
        const root = from ? c.fromRoot(from) : c.contextDir;
        const source = resolveInRoot(root, x(m.source) ?? '/');
        mounts.push({ type: 'bind', source, target, readonly: true });
        break;
      }
      case 'tmpfs':
        mounts.push({ type: 'tmpfs', target: abs(x(m.target) as string, c.workdir), size: m.size });
        break;
      case 'secret': {
        const id = x(m.id) as string;
        const value = c.secrets[id];
        if (value === undefined) {
          if (m.required)
            throw new InvalidArgumentError(
              `secret ${id} not found: give it with berth build --secret id=${id},src=FILE`,
            );
          break;
        }
        if (m.env) env.push(`${x(m.env)}=${value.toString('utf8')}`);
        if (m.target !== undefined || !m.env) {
          const target = abs(x(m.target) ?? `/run/secrets/${id}`, '/');
          await mkdir(c.secretDir, { recursive: true, mode: 0o700 });
          const file = join(c.secretDir, createHash('sha256').update(target).digest('hex').slice(0, 16));
          await writeFile(file, value, { mode: m.mode });
          await chown(file, m.uid, m.gid);
          mounts.push({ type: 'bind', source: file, target, readonly: true });
        }
        break;
      }
      case 'ssh':
        throw new InvalidArgumentError('RUN --mount=type=ssh is not supported by Berth (no SSH agent forwarding)');
    }
  }
  return { mounts, env };
}

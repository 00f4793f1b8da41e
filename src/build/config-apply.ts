/**
 * What a metadata instruction (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, USER,
 * WORKDIR, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD) does to an
 * image config. Shared by the builder and by `--change` on import and commit.
 */
import { InvalidArgumentError } from '../lib/errors.ts';
import type { ImageRunConfig } from '../oci/image.ts';
import type { CommandLine, Instruction } from './dockerfile/ast.ts';
import { expand, type Lookup } from './dockerfile/expand.ts';
import { parseDockerfile } from './dockerfile/parse.ts';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

function command(c: CommandLine, shell: string[]): string[] {
  return c.form === 'exec' ? c.args : [...shell, c.command];
}

function envSet(env: string[], key: string, value: string): string[] {
  const out = env.filter((e) => e.split('=')[0] !== key);
  out.push(`${key}=${value}`);
  return out;
}

/** Applies one instruction to `cfg` (in place). Returns false for instructions that are not metadata. */
export function applyToConfig(cfg: ImageRunConfig, ins: Instruction, lookup: Lookup = () => undefined): boolean {
  const x = (w: string) => expand(w, lookup);
  const shell = cfg.Shell ?? DEFAULT_SHELL;
  switch (ins.kind) {
    case 'CMD':
      cfg.Cmd = command(ins.command, shell);
      return true;
    case 'ENTRYPOINT':
      cfg.Entrypoint = command(ins.command, shell);
      cfg.Cmd = null;
      return true;
    case 'ENV':
      for (const p of ins.pairs) cfg.Env = envSet(cfg.Env ?? [], x(p.key), x(p.value));
      return true;
    case 'LABEL':
      cfg.Labels = { ...cfg.Labels };
      for (const p of ins.pairs) cfg.Labels[x(p.key)] = x(p.value);
      return true;
    case 'EXPOSE':
      cfg.ExposedPorts = { ...cfg.ExposedPorts };
      for (const p of ins.ports) {
        for (const port of x(p).split(/\s+/).filter(Boolean)) {
          cfg.ExposedPorts[port.includes('/') ? port.toLowerCase() : `${port}/tcp`] = {};
        }
      }
      return true;
    case 'USER':
      cfg.User = x(ins.value);
      return true;
    case 'WORKDIR': {
      const dir = x(ins.value);
      cfg.WorkingDir = dir.startsWith('/') ? dir : `${(cfg.WorkingDir || '/').replace(/\/$/, '')}/${dir}`;
      return true;
    }
    case 'STOPSIGNAL':
      cfg.StopSignal = x(ins.value);
      return true;
    case 'VOLUME':
      cfg.Volumes = { ...cfg.Volumes };
      for (const p of ins.paths) {
        const v = x(p);
        if (!v) throw new InvalidArgumentError(`VOLUME on line ${ins.line} names an empty path`);
        cfg.Volumes[v] = {};
      }
      return true;
    case 'HEALTHCHECK': {
      const h = ins.healthcheck;
      cfg.Healthcheck = {
        Test: h.test,
        ...(h.interval !== undefined ? { Interval: h.interval } : {}),
        ...(h.timeout !== undefined ? { Timeout: h.timeout } : {}),
        ...(h.startPeriod !== undefined ? { StartPeriod: h.startPeriod } : {}),
        ...(h.startInterval !== undefined ? { StartInterval: h.startInterval } : {}),
        ...(h.retries !== undefined ? { Retries: h.retries } : {}),
      };
      return true;
    }
    case 'SHELL':
      cfg.Shell = ins.shell;
      return true;
    case 'ONBUILD':
      cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.expression];
      return true;
    default:
      return false;
  }
}

const CHANGE_KINDS = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
  'HEALTHCHECK',
  'SHELL',
]);

/** `docker import/commit --change`: Dockerfile instructions applied to a config. */
export function applyChanges(cfg: ImageRunConfig, changes: string[]): ImageRunConfig {
  const text = changes.filter((c) => c.trim() !== '').join('\n');
  if (!text) return cfg;
  const df = parseDockerfile(`FROM scratch\n${text}\n`, { file: '--change' });
  for (const ins of df.instructions.slice(1)) {
    if (!CHANGE_KINDS.has(ins.kind)) {
      throw new InvalidArgumentError(
        `${ins.kind} is not a valid change command (use one of ${[...CHANGE_KINDS].join(', ')})`,
      );
    }
    applyToConfig(cfg, ins);
  }
  return cfg;
}

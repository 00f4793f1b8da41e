/**
 * The OCI runtime binaries (crun, runc) and how to call them: one spawn per
 * call, `--root` always given, stderr turned into a typed error.
 */
import { execFile } from 'node:child_process';
import { ConflictError, InternalError, NotFoundError } from '../lib/errors.ts';

export type RuntimeName = 'crun' | 'runc';
export const RUNTIME_NAMES: readonly RuntimeName[] = ['crun', 'runc'];

export const DEFAULT_BINARIES: Record<RuntimeName, string> = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' };

export interface RuntimeBinary {
  name: RuntimeName;
  path: string;
  /** The runtime's state directory (`--root`). */
  root: string;
}

export function runtimeError(rt: RuntimeBinary, args: string[], stderr: string, code: number | string | null): Error {
  const msg = `${rt.name} ${args.join(' ')}: ${stderr.trim() || `exit ${code}`}`;
  if (/does not exist|not found|no such file/i.test(stderr)) return new NotFoundError(msg);
  if (/is not running|not paused|is paused|already|cannot .* a (container|stopped)|in state/i.test(stderr)) {
    return new ConflictError(msg);
  }
  return new InternalError(msg);
}

/** Runs `RUNTIME --root ROOT ARGS…`; resolves with stdout. */
export function runRuntime(rt: RuntimeBinary, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  const full = [`--root=${rt.root}`, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      rt.path,
      full,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(runtimeError(rt, args, stderr || err.message, (err as { code?: number }).code ?? null));
        else resolve(stdout);
      },
    );
  });
}

/** What `RUNTIME state ID` says. */
export interface RuntimeState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped' | 'paused';
  pid: number;
  bundle: string;
  created?: string;
  annotations?: Record<string, string>;
}

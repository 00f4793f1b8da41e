/** Small process helpers for the bootstrap commands (not on any hot path). */
import { type ChildProcess, spawn } from 'node:child_process';

export function run(cmd: string, args: string[], opts: { stdio?: 'inherit' | 'ignore' } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: opts.stdio ?? ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d) => (err += d));
    p.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

/** `tar` of a directory's contents on stdout, numeric owners, xattrs kept. */
export function tarDirectory(dir: string): ChildProcess {
  return spawn('tar', ['-C', dir, '--numeric-owner', '--xattrs', '--xattrs-include=*', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

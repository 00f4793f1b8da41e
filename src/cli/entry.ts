/**
 * The berth process's entry point. It runs the commands that need no
 * command-line framework straight away (fast-path.ts: the bundle holds them
 * in this one file) and hands all others to the full CLI (main.ts, commander;
 * a separate bundle with its chunks), loaded only then, with V8's compile
 * cache on so that a second start does not compile it again.
 */
import { matchFastPath } from './fast-path.ts';

/**
 * BERTH_COMPILE_CACHE (empty: off), else $XDG_CACHE_HOME/berth-compile-cache,
 * else ~/.cache/berth-compile-cache. Made here with one plain mkdir (its
 * parent must exist): node's own recursive mkdir can spin forever on an odd
 * path (under /proc, say). Any failure leaves the cache off.
 */
function enableCompileCache(): void {
  const env = process.env;
  const parent = env.XDG_CACHE_HOME || (env.HOME && `${env.HOME}/.cache`);
  const dir = env.BERTH_COMPILE_CACHE ?? (parent && `${parent}/berth-compile-cache`);
  if (!dir) return;
  try {
    try {
      (process.getBuiltinModule('node:fs') as typeof import('node:fs')).mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    (process.getBuiltinModule('node:module') as typeof import('node:module')).enableCompileCache(dir);
  } catch {}
}

async function run(argv: string[]): Promise<void> {
  const fast = matchFastPath(argv);
  if (!fast) {
    enableCompileCache();
    return (await import('./main.ts')).main(argv);
  }
  const [{ setHost }, { version }, { reportError }] = await Promise.all([
    import('./context.ts'),
    import('./commands/version.ts'),
    import('./report-error.ts'),
  ]);
  setHost(fast.host, { blocking: true });
  await version({ format: fast.format }).catch(reportError);
}

void run(process.argv.slice(2));

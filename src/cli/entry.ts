/**
 * The berth process's entry point. It runs the commands that need no
 * command-line framework straight away (fast-path.ts: the bundle holds them
 * in this one file) and hands all others to the full CLI (main.ts, commander;
 * a separate bundle with its chunks), loaded only then, with V8's compile
 * cache on so that a second start does not compile it again.
 */
import { matchFastPath } from './fast-path.ts';

/** BERTH_COMPILE_CACHE (empty: off), else $XDG_CACHE_HOME/berth/…, else ~/.cache/berth/…; a failure is ignored. */
function enableCompileCache(): void {
  const env = process.env;
  const base = env.XDG_CACHE_HOME || (env.HOME && `${env.HOME}/.cache`);
  const dir = env.BERTH_COMPILE_CACHE ?? (base && `${base}/berth/node-compile-cache`);
  if (!dir) return;
  try {
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
    import('./commands/system.ts'),
    import('./report-error.ts'),
  ]);
  setHost(fast.host);
  await version({ format: fast.format }).catch(reportError);
}

void run(process.argv.slice(2));

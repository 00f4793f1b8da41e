/**
 * Defining every command costs more than running most of them (~15 ms of
 * option objects on a cold start). `narrowTo` gives the definition code a
 * view of the program that keeps only the top-level command the user typed
 * and lets every other definition fall into a sink that keeps nothing.
 */
import type { Command } from 'commander';

/** Accepts any chain of definition calls (`.option(…).action(…)`) and keeps nothing. */
const sink: Command = new Proxy(() => {}, { get: () => () => sink }) as unknown as Command;

/** `p`, except that `command(name…)` defines only `word` (by its name, not its aliases). */
export function narrowTo(p: Command, word: string): Command {
  return new Proxy(p, {
    get(target, key) {
      if (key === 'command')
        return (nameAndArgs: string, ...rest: [object?]) =>
          nameAndArgs.split(' ')[0] === word ? target.command(nameAndArgs, ...rest) : sink;
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** The command word: the first argument after the global options (`-H HOST`), if it is not an option. */
export function commandWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-H' || a === '--host') i++;
    else if (!a.startsWith('-')) return a;
    else if (!a.startsWith('--host=') && !/^-H./.test(a)) return undefined;
  }
  return undefined;
}

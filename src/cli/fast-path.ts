/**
 * Commands simple enough to run without the command-line framework: their
 * whole grammar is matched here, and anything else (help, a typo, another
 * flag, a missing value) goes to the full CLI, which answers as it always did.
 */

export interface FastCommand {
  name: 'version';
  host?: string;
  format?: string;
}

/** The value of `-X VALUE`, `-XVALUE`, `--long VALUE` or `--long=VALUE` at argv[i], and the next index. */
function optionValue(argv: string[], i: number, short: string, long: string): [string, number] | undefined {
  const a = argv[i];
  if (a === short || a === long) return i + 1 < argv.length ? [argv[i + 1], i + 2] : undefined;
  if (a.startsWith(`${long}=`)) return [a.slice(long.length + 1), i + 1];
  if (a.startsWith(short) && a.length > short.length) return [a.slice(short.length), i + 1];
  return undefined;
}

/** `[-H HOST] version [-f FORMAT]`, or undefined for anything else. */
export function matchFastPath(argv: string[]): FastCommand | undefined {
  const out: Partial<FastCommand> = {};
  let i = 0;
  while (i < argv.length) {
    const opt = out.name ? optionValue(argv, i, '-f', '--format') : optionValue(argv, i, '-H', '--host');
    if (opt && out.name) out.format = opt[0];
    else if (opt) out.host = opt[0];
    else if (!out.name && argv[i] === 'version') out.name = 'version';
    else return undefined;
    i = opt ? opt[1] : i + 1;
  }
  return out.name ? (out as FastCommand) : undefined;
}

/**
 * The terminal side of `run -it`, `attach` and `exec -it`: raw mode (always
 * restored), the terminal's size and its changes, and forwarding signals to
 * a container.
 */

/** The terminal's size as [height, width], or undefined when stdout is not a terminal. */
export function terminalSize(): [number, number] | undefined {
  const out = process.stdout;
  if (!out.isTTY || !out.rows || !out.columns) return undefined;
  return [out.rows, out.columns];
}

/** Puts stdin in raw mode when it is a terminal; the returned function (also run at exit) restores it. */
export function rawMode(): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => {};
  stdin.setRawMode(true);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {}
  };
  process.once('exit', restore);
  return restore;
}

/**
 * Sends the terminal's size now and whenever it changes (SIGWINCH).
 * Failures are ignored: the container may have exited meanwhile.
 */
export function followTerminalSize(resize: (h: number, w: number) => Promise<void>): () => void {
  if (!process.stdout.isTTY) return () => {};
  const send = () => {
    const s = terminalSize();
    if (s) void resize(s[0], s[1]).catch(() => {});
  };
  send();
  process.stdout.on('resize', send);
  process.on('SIGWINCH', send);
  return () => {
    process.stdout.off('resize', send);
    process.off('SIGWINCH', send);
  };
}

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** `--sig-proxy`: signals berth receives go to the container (through kill). */
export function proxySignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = PROXIED.map((sig) => {
    const h = () => void kill(sig).catch(() => {});
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/** Writes out what is pending on stdout and stderr, then exits with the code. */
export function exitWith(code: number): Promise<never> {
  return new Promise(() => {
    let pending = 2;
    const go = () => {
      if (--pending === 0) process.exit(code);
    };
    process.stdout.write('', go);
    process.stderr.write('', go);
  });
}

/** berth exec: create the exec, start it hijacked (or detached), exit with its code. */
import { createExec, inspectExec, resizeExec, startExecDetached } from '../../client/containers.ts';
import { execStartSocket, pump } from '../../client/hijack.ts';
import { api } from '../context.ts';
import { envList } from '../run-flags/index.ts';
import { exitWith, followTerminalSize, rawMode, terminalSize } from '../tty.ts';

export async function exec(
  container: string,
  cmd: string[],
  o: {
    detach?: boolean;
    interactive?: boolean;
    tty?: boolean;
    user?: string;
    workdir?: string;
    env?: string[];
    envFile?: string[];
    privileged?: boolean;
    detachKeys?: string;
  },
): Promise<void> {
  if (!cmd.length) throw new Error('exec requires at least 2 arguments: CONTAINER COMMAND [ARG...]');
  if (o.interactive && o.tty && !o.detach && !process.stdin.isTTY) {
    process.stderr.write('the input device is not a TTY\n');
    return exitWith(1);
  }
  const client = api();
  const tty = !!o.tty;
  const stdin = !!o.interactive && !o.detach;
  const size = tty ? terminalSize() : undefined;
  const { Id } = await createExec(client, container, {
    Cmd: cmd,
    Tty: tty,
    AttachStdin: stdin,
    AttachStdout: !o.detach,
    AttachStderr: !o.detach,
    User: o.user,
    WorkingDir: o.workdir,
    Env: envList(o.env, o.envFile),
    Privileged: !!o.privileged,
    DetachKeys: o.detachKeys,
    ConsoleSize: size ?? null,
  });
  if (o.detach) return startExecDetached(client, Id, tty);
  const { socket, head } = await execStartSocket(client, Id, { tty, consoleSize: size });
  const restore = tty && stdin ? rawMode() : () => {};
  const stream = pump(socket, head, {
    tty,
    stdin: stdin ? process.stdin : null,
    stdout: process.stdout,
    stderr: process.stderr,
    detachKeys: o.detachKeys,
  });
  const stopResize = tty ? followTerminalSize((h, w) => resizeExec(client, Id, h, w)) : () => {};
  const { detached } = await stream.done;
  restore();
  stopResize();
  if (detached) return exitWith(0);
  let info = await inspectExec(client, Id);
  for (let i = 0; i < 40 && info.Running; i++) {
    await new Promise((r) => setTimeout(r, 50));
    info = await inspectExec(client, Id);
  }
  return exitWith(info.ExitCode ?? 0);
}

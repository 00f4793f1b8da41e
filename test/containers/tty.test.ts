/**
 * Issue 3: `docker run -it busybox sh` in a real terminal (tmux): type a
 * command and see it, resize the window and `stty size` follows, ctrl-p
 * ctrl-q detaches with the container still running, `docker attach` comes
 * back, exit ends it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dockerCli, loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { field, saveLog, until, untilStatus } from './util.ts';

let d: TestDaemon;
let sock: string;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string => tmux('capture-pane', '-p', '-t', 't');
/**
 * A pane command that records the docker CLI's exit code in a file when it ends (tmux does not always
 * draw its "Pane is dead" line on a resized window, nor always know the status of the pane's process).
 */
function recorded(cmd: string, codeFile: string): string {
  return `sh -c '${cmd}; echo $? > ${codeFile}'`;
}

/** The exit code the CLI left in `codeFile`, once it has ended. */
function cliEnded(what: string, codeFile: string): Promise<string> {
  return until(
    what,
    () => (existsSync(codeFile) ? readFileSync(codeFile, 'utf8').trim() || undefined : undefined),
    10_000,
    100,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- screen ---\n${screen()}`);
  });
}

async function seeOnScreen(re: RegExp, what: string): Promise<void> {
  await until(`${what} on the screen`, () => re.test(screen()), 15_000, 100).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- screen ---\n${screen()}`);
  });
}

/** Asks `stty size` until the shell answers `size` (the CLI's /resize calls arrive when they arrive). */
async function sizeFollows(size: string): Promise<void> {
  const re = new RegExp(`^${size}\\s*$`, 'm');
  await until(
    `stty size to say ${size}`,
    () => {
      tmux('send-keys', '-t', 't', 'clear; stty size', 'Enter');
      return new Promise<boolean>((r) => setTimeout(() => r(re.test(screen())), 400));
    },
    10_000,
    0,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- screen ---\n${screen()}`);
  });
}

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  sock = join(d.dir, 'tmux.sock');
});

after(async () => {
  saveLog(d, 'containers-tty');
  if (sock) spawnSync('tmux', ['-S', sock, 'kill-server']);
  await d?.cleanup();
});

test('docker run -it busybox sh: type, resize, detach, attach, exit', async () => {
  const env = `env DOCKER_HOST=${d.host} DOCKER_CONFIG=${join(d.dir, 'docker-config')} TERM=xterm`;
  const docker = `${env} ${dockerCli()}`;
  const runCode = join(d.dir, 'run.code');
  const attachCode = join(d.dir, 'attach.code');
  tmux(
    'new-session',
    '-d',
    '-s',
    't',
    '-x',
    '100',
    '-y',
    '30',
    recorded(`${docker} run -it --name tty1 busybox sh`, runCode),
  );
  tmux('set-option', '-t', 't', 'remain-on-exit', 'on');
  tmux('set-option', '-t', 't', 'window-size', 'manual');

  await untilStatus(d, 'tty1', 'running');
  tmux('send-keys', '-t', 't', 'echo hi-$((40+2))', 'Enter');
  await seeOnScreen(/^hi-42\s*$/m, 'the output of echo');
  assert.equal(await field(d, 'tty1', '{{.Config.Tty}} {{.Config.OpenStdin}}'), 'true true');

  tmux('send-keys', '-t', 't', 'stty size', 'Enter');
  await seeOnScreen(/^30 100\s*$/m, 'the first size');
  tmux('resize-window', '-t', 't', '-x', '120', '-y', '40');
  await until(
    'tmux to resize the pane',
    () => tmux('display-message', '-p', '-t', 't', '#{pane_width}x#{pane_height}').trim() === '120x40',
  );
  // The CLI sees SIGWINCH and sends /resize; ask again until the shell sees the new size.
  await sizeFollows('40 120');

  // ctrl-p ctrl-q: the CLI leaves (exit code 0), the container runs on.
  tmux('send-keys', '-t', 't', 'C-p', 'C-q');
  assert.equal(await cliEnded('the CLI to detach', runCode), '0');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await field(d, 'tty1', '{{.State.Status}}'), 'running', 'detaching stopped the container');

  // Come back.
  tmux('respawn-pane', '-k', '-t', 't', recorded(`${docker} attach tty1`, attachCode));
  await new Promise((r) => setTimeout(r, 500));
  tmux('send-keys', '-t', 't', 'clear; echo again-$((1+1))', 'Enter');
  await seeOnScreen(/^again-2\s*$/m, 'output after attach');
  // On attach the CLI sizes the pty one larger, then back (to make the shell redraw): ask until it settles.
  await sizeFollows('40 120');
  tmux('send-keys', '-t', 't', 'exit 7', 'Enter');
  await untilStatus(d, 'tty1', 'exited');
  assert.equal(await field(d, 'tty1', '{{.State.ExitCode}}'), '7');
  assert.equal(
    await cliEnded('the attach CLI to end', attachCode),
    '7',
    "docker attach exits with the container's code",
  );
});

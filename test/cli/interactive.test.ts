/**
 * Issue 3: `berth run -it busybox sh` in a real terminal (tmux, on a tmux
 * server of this test's own): typing, the terminal's size at start and after
 * a resize, ctrl-p ctrl-q detaching, `berth attach` coming back, and
 * `berth exec -it`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBusybox, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon.ts';

const BERTH = join(ROOT, 'bin/berth');
const SERVER = `berth-cli-test-${process.pid}`;
let d: TestDaemon;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (t: string) => tmux('capture-pane', '-p', '-J', '-t', t);

async function waitFor(t: string, pred: (s: string) => boolean, what: string, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  let s = '';
  while (Date.now() < deadline) {
    s = screen(t);
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
}

/** Runs a shell command line in a new tmux window; returns its target. */
function window(name: string, cmdline: string, w = 100, h = 30): string {
  if (spawnSync('tmux', ['-L', SERVER, 'has-session', '-t', 'main']).status !== 0)
    tmux('new-session', '-d', '-s', 'main', '-x', String(w), '-y', String(h), '-n', name, cmdline);
  else tmux('new-window', '-t', 'main', '-n', name, cmdline);
  tmux('set-option', '-t', 'main', 'status', 'off');
  return `main:${name}`;
}

const paneSize = (t: string) => tmux('display-message', '-p', '-t', t, '#{pane_height} #{pane_width}').trim();

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
});

after(async () => {
  spawnSync('tmux', ['-L', SERVER, 'kill-server']);
  await d?.cleanup();
});

describe('berth run -it in a terminal', () => {
  test('type, resize, detach with ctrl-p ctrl-q', async () => {
    const t = window('run', `BERTH_HOST=${d.host} ${BERTH} run -it --name tty1 busybox sh; echo EXITED=$?; sleep 600`);
    await waitFor(t, (s) => s.includes('/ # '), 'the shell prompt');
    tmux('send-keys', '-t', t, 'echo h""i', 'Enter');
    await waitFor(t, (s) => /^hi$/m.test(s), 'the echo');
    tmux('send-keys', '-t', t, 'clear; stty size', 'Enter');
    const first = paneSize(t);
    await waitFor(t, (s) => s.includes(first), `stty size = ${first}`);
    tmux('resize-window', '-t', t, '-x', '120', '-y', '40');
    const second = paneSize(t);
    assert.notEqual(second, first);
    await new Promise((r) => setTimeout(r, 200));
    tmux('send-keys', '-t', t, 'clear; stty size', 'Enter');
    await waitFor(t, (s) => s.includes(second), `stty size after resize = ${second}`);
    tmux('send-keys', '-t', t, 'C-p', 'C-q');
    const after = await waitFor(t, (s) => s.includes('EXITED='), 'berth run to return');
    assert.match(after, /EXITED=0/);
    assert.doesNotMatch(after, /escape|detach/i, 'nothing extra printed');
    const st = d.berth(['inspect', '--format', '{{.State.Status}}', 'tty1']);
    assert.equal(st.stdout, 'running\n');
  });

  test('berth exec -it runs a shell with the terminal size', async () => {
    const r = d.berth(['run', '-d', '--name', 'tty2', 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    const t = window('exec', `BERTH_HOST=${d.host} ${BERTH} exec -it tty2 sh; echo EXEC=$?; sleep 600`);
    await waitFor(t, (s) => s.includes('/ # '), 'the exec prompt');
    tmux('send-keys', '-t', t, 'stty size', 'Enter');
    const size = paneSize(t);
    await waitFor(t, (s) => s.includes(size), `stty size = ${size}`);
    tmux('send-keys', '-t', t, 'exit 4', 'Enter');
    await waitFor(t, (s) => s.includes('EXEC=4'), 'exec to return the exit code');
  });
  test('berth attach comes back to the shell', async () => {
    const t = window('attach', `BERTH_HOST=${d.host} ${BERTH} attach tty1; echo ATTACH=$?; sleep 600`);
    await new Promise((r) => setTimeout(r, 500));
    tmux('send-keys', '-t', t, 'echo b""ack', 'Enter');
    await waitFor(t, (s) => /^back$/m.test(s), 'the echo after attach');
    tmux('send-keys', '-t', t, 'exit 3', 'Enter');
    await waitFor(t, (s) => s.includes('ATTACH=3'), 'attach to return the exit code');
  });
});

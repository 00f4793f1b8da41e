/**
 * Registers the container verbs (top level, and under `berth container`).
 * Definitions only — each action loads its command module on demand, so
 * `berth version` stays fast.
 */
import type { Command } from 'commander';
import { addCreateOptions, addRunOptions } from './run-options.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const bool = (v: string | undefined) => v === undefined || !/^(false|0|no)$/i.test(v);

const lifecycle = () => import('./commands/containers.ts');
const running = () => import('./commands/containers-run.ts');
const listing = () => import('./commands/containers-list.ts');
const io = () => import('./commands/containers-io.ts');

/** `group`: registering under `berth container` (adds ls/list, remove, prune, inspect). */
export function containerCommands(cmd: Command, group: boolean): void {
  addRunOptions(
    cmd
      .command('run')
      .description('Create and run a new container from an image')
      .argument('<image>')
      .argument('[command...]')
      .passThroughOptions(),
  ).action(async (image, args, o) => (await running()).run(image, args, o));

  addCreateOptions(
    cmd
      .command('create')
      .description('Create a new container')
      .argument('<image>')
      .argument('[command...]')
      .passThroughOptions(),
  ).action(async (image, args, o) => (await running()).create(image, args, o));

  cmd
    .command('start')
    .description('Start one or more stopped containers')
    .argument('<container...>')
    .option('-a, --attach', 'attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "attach container's STDIN")
    .option('--detach-keys <keys>', 'override the key sequence for detaching a container')
    .action(async (n, o) => (await running()).start(n, o));

  cmd
    .command('attach')
    .description('Attach local standard input, output, and error streams to a running container')
    .argument('<container>')
    .option('--no-stdin', 'do not attach STDIN')
    .option('--detach-keys <keys>', 'override the key sequence for detaching a container')
    .option('--sig-proxy [bool]', 'proxy all received signals to the process', bool, true)
    .action(async (n, o) => (await running()).attach(n, o));

  for (const [verb, what] of [
    ['stop', 'Stop one or more running containers'],
    ['restart', 'Restart one or more containers'],
  ] as const) {
    cmd
      .command(verb)
      .description(what)
      .argument('<container...>')
      .option('-t, --time <seconds>', 'seconds to wait before killing the container')
      .option('-s, --signal <signal>', 'signal to send to the container')
      .action(async (n, o) => (await lifecycle())[verb](n, o));
  }

  cmd
    .command('kill')
    .description('Kill one or more running containers')
    .argument('<container...>')
    .option('-s, --signal <signal>', 'signal to send to the container')
    .action(async (n, o) => (await lifecycle()).kill(n, o));
  cmd
    .command('pause')
    .description('Pause all processes within one or more containers')
    .argument('<container...>')
    .action(async (n) => (await lifecycle()).pause(n));
  cmd
    .command('unpause')
    .description('Unpause all processes within one or more containers')
    .argument('<container...>')
    .action(async (n) => (await lifecycle()).unpause(n));
  cmd
    .command('rm')
    .aliases(group ? ['remove'] : [])
    .description('Remove one or more containers')
    .argument('<container...>')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .option('-l, --link', 'remove the specified link (ignored)')
    .action(async (n, o) => (await lifecycle()).remove(n, o));
  cmd
    .command('rename')
    .description('Rename a container')
    .argument('<container>')
    .argument('<new-name>')
    .action(async (a, b) => (await lifecycle()).rename(a, b));
  cmd
    .command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>')
    .action(async (n) => (await lifecycle()).wait(n));

  cmd
    .command(group ? 'ls' : 'ps')
    .aliases(group ? ['list', 'ps'] : [])
    .description('List containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-n, --last <n>', 'show n last created containers (includes all states)')
    .option('-l, --latest', 'show the latest created container (includes all states)')
    .option('-s, --size', 'display total file sizes')
    .option('-q, --quiet', 'only display container IDs')
    .option('-f, --filter <filter>', 'filter output based on conditions provided', collect)
    .option('--format <format>', "'table', 'table TEMPLATE', 'json' or a Go-style template")
    .option('--no-trunc', "don't truncate output")
    .action(async (o) => (await listing()).list({ ...o, noTrunc: o.trunc === false }));

  cmd
    .command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <n>', 'number of lines to show from the end of the logs', 'all')
    .option('--since <time>', 'show logs since timestamp or relative (e.g. 42m)')
    .option('--until <time>', 'show logs before a timestamp or relative (e.g. 42m)')
    .option('-t, --timestamps', 'show timestamps')
    .option('--details', 'show extra details provided to logs')
    .action(async (n, o) => (await io()).logs(n, { ...o, since: relTime(o.since), until: relTime(o.until) }));

  cmd
    .command('exec')
    .description('Execute a command in a running container')
    .argument('<container>')
    .argument('[command...]')
    .passThroughOptions()
    .option('-d, --detach', 'detached mode: run command in the background')
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-u, --user <user>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('--env-file <file>', 'read in a file of environment variables', collect)
    .option('--privileged', 'give extended privileges to the command')
    .option('--detach-keys <keys>', 'override the key sequence for detaching a container')
    .action(async (c, args, o) => (await import('./commands/containers-exec.ts')).exec(c, args, o));

  cmd
    .command('top')
    .description('Display the running processes of a container')
    .argument('<container>')
    .argument('[ps-options...]')
    .passThroughOptions()
    .action(async (n, args) => (await io()).top(n, args));

  cmd
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[container...]')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .option('--format <format>', 'format output using a Go-style template')
    .option('--no-trunc', 'do not truncate output')
    .action(async (n, o) =>
      (await import('./commands/containers-stats.ts')).stats(n, {
        ...o,
        noStream: o.stream === false,
        noTrunc: o.trunc === false,
      }),
    );

  cmd
    .command('cp')
    .description('Copy files/folders between a container and the local filesystem (- for a tar on stdin/stdout)')
    .argument('<src>', 'CONTAINER:SRC_PATH or a local path')
    .argument('<dest>', 'CONTAINER:DEST_PATH or a local path')
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('-q, --quiet', 'suppress progress output')
    .action(async (s, d, o) => (await import('./commands/containers-cp.ts')).cp(s, d, o));

  cmd
    .command('diff')
    .description("Inspect changes to files or directories on a container's filesystem")
    .argument('<container>')
    .action(async (n) => (await io()).diff(n));

  cmd
    .command('commit')
    .description("Create a new image from a container's changes")
    .argument('<container>')
    .argument('[repository]')
    .option('-a, --author <author>', 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <instruction>', 'apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <message>', 'commit message')
    .option('-p, --pause [bool]', 'pause container during commit', bool, true)
    .action(async (n, r, o) => (await import('./commands/containers-commit.ts')).commit(n, r, o));

  cmd
    .command('export')
    .description("Export a container's filesystem as a tar archive")
    .argument('<container>')
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .action(async (n, o) => (await io()).exportTar(n, o));

  cmd
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .argument('<container>')
    .argument('[private-port]', 'PRIVATE_PORT[/PROTO]')
    .action(async (n, p) => (await io()).port(n, p));

  cmd
    .command('update')
    .description('Update configuration of one or more containers')
    .argument('<container...>')
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', 'swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--cpus <number>', 'number of CPUs')
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)')
    .option('--cpu-period <n>', 'limit CPU CFS period')
    .option('--cpu-quota <n>', 'limit CPU CFS quota')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution')
    .option('--cpuset-mems <list>', 'MEMs in which to allow execution')
    .option('--pids-limit <n>', 'tune container pids limit (-1 for unlimited)')
    .option('--blkio-weight <n>', 'block IO weight (10 to 1000)')
    .option('--restart <policy>', 'restart policy to apply when a container exits')
    .action(async (n, o) => (await import('./commands/containers-commit.ts')).update(n, o));

  if (!group) return;
  cmd
    .command('prune')
    .description('Remove all stopped containers')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "until=<timestamp>")', collect)
    .action(async (o) => (await lifecycle()).prune(o));
  cmd
    .command('inspect')
    .description('Display detailed information on one or more containers')
    .argument('<container...>')
    .option('-f, --format <format>', 'format output using a Go-style template')
    .option('-s, --size', 'display total file sizes')
    .action(async (n, o) => (await import('./commands/inspect.ts')).inspect(n, o, 'container'));
}

/** `42m`, `1h30m`, `10s` → a Unix time the API takes; other values pass as they are. */
function relTime(v: string | undefined): string | undefined {
  if (!v) return v;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!m) return v;
  const ms = Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return ((Date.now() - ms) / 1000).toFixed(3);
}

/**
 * The berth CLI: every command talks to the daemon only through the Engine
 * API (src/client). Command modules load on demand; entry.ts loads this
 * file only for commands its fast path does not take.
 */
import { Command, Option } from 'commander';
import { BERTH_VERSION } from '../lib/version.ts';
import { containerCommands } from './container-commands.ts';
import { setHost } from './context.ts';
import { commandWord, narrowTo } from './narrow.ts';
import { reportError } from './report-error.ts';
import { networkCommands, systemPruneCommand, volumeCommands } from './resource-commands.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const images = () => import('./commands/images.ts');
const system = () => import('./commands/system.ts');
const builds = () => import('./commands/build.ts');
const distribution = () => import('./commands/distribution.ts');

function imageCommands(cmd: Command, prefix: boolean): void {
  const ls = (name: string) =>
    cmd
      .command(name)
      .description('List images')
      .argument('[repository]')
      .option('-a, --all', 'show all images')
      .option('-q, --quiet', 'only show image IDs')
      .option('--digests', 'show digests')
      .option('--no-trunc', 'do not truncate output')
      .option('-f, --filter <filter>', 'filter output (dangling, label, reference, before, since)', collect)
      .option('--format <format>', "'json' or a Go-style template")
      .action(async (repo, o) => (await images()).listImages(repo, { ...o, noTrunc: o.trunc === false }));
  if (prefix) {
    ls('ls').alias('list');
    cmd
      .command('inspect')
      .description('Show details of images')
      .argument('<image...>')
      .option('-f, --format <format>')
      .action(async (n, o) => (await images()).inspectImages(n, o));
    cmd
      .command('rm')
      .alias('remove')
      .description('Remove images')
      .argument('<image...>')
      .option('-f, --force')
      .option('--no-prune')
      .action(async (n, o) => (await images()).removeImages(n, { force: o.force, noPrune: o.prune === false }));
  } else {
    ls('images');
    cmd
      .command('rmi')
      .description('Remove images')
      .argument('<image...>')
      .option('-f, --force')
      .option('--no-prune')
      .action(async (n, o) => (await images()).removeImages(n, { force: o.force, noPrune: o.prune === false }));
  }
  cmd
    .command('tag')
    .description('Create a tag TARGET that refers to SOURCE')
    .argument('<source>')
    .argument('<target>')
    .action(async (s, t) => (await images()).tag(s, t));
  cmd
    .command('history')
    .description('Show the history of an image')
    .argument('<image>')
    .option('-q, --quiet')
    .option('--no-trunc')
    .option('-H, --human', 'human-readable sizes', true)
    .option('--format <format>')
    .action(async (n, o) => (await images()).history(n, { ...o, noTrunc: o.trunc === false }));
  cmd
    .command('import')
    .description('Import a root filesystem tar (file or -) as an image')
    .argument('<file>')
    .argument('[reference]')
    .option('-c, --change <instruction>', 'Dockerfile instruction to apply', collect)
    .option('-m, --message <message>')
    .action(async (f, r, o) => (await images()).importImage(f, r, o));
  cmd
    .command('load')
    .description('Load images from a tar archive (docker-archive or OCI layout)')
    .option('-i, --input <file>')
    .option('-q, --quiet')
    .action(async (o) => (await images()).load(o));
  cmd
    .command('save')
    .description('Save images to a tar archive')
    .argument('<image...>')
    .option('-o, --output <file>')
    .action(async (n, o) => (await images()).save(n, o));
}

function buildCommands(p: Command): void {
  const build = (cmd: Command) =>
    cmd
      .description('Build an image from a Dockerfile (context: a directory, or - for a tar on stdin)')
      .argument('<context>')
      .option('-t, --tag <name>', 'name and optionally a tag (name:tag)', collect)
      .option('-f, --file <path>', 'the Dockerfile (default: CONTEXT/Dockerfile; may be outside the context)')
      .option('--build-arg <key=value>', 'set a build-time variable', collect)
      .option('--label <key=value>', 'set metadata on the image', collect)
      .option('--target <stage>', 'build this stage (and only what it needs)')
      .option('--no-cache', 'do not use the build cache')
      .option('--cache-from <image>', 'images to consider as cache sources', collect)
      .option('--secret <spec>', 'secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR', collect)
      .option('-q, --quiet', 'print only the image ID')
      .option('--network <mode>', 'network for RUN: default (own, loopback only), none or host')
      .option('--platform <platform>', 'target platform (linux/amd64)')
      .option('--pull', 'accepted for compatibility')
      .option('--rm', 'accepted for compatibility (intermediate containers are never kept)')
      .action(async (ctx, o) => (await builds()).build(ctx, o));
  build(p.command('build'));
  const builder = p.command('builder').description('Manage builds');
  build(builder.command('build'));
  builder
    .command('prune')
    .description('Remove build cache')
    .option('-a, --all', 'remove all build cache')
    .option('-f, --force', 'do not prompt')
    .option('--keep-storage <size>', 'amount of cache to keep (e.g. 10MB)')
    .action(async (o) => (await builds()).builderPrune(o));
}

/** The berth program; given the command word, only that command is defined (narrow.ts). */
export function program(word?: string): Command {
  const root = new Command('berth')
    .description('Berth: build, ship and run containers')
    .version(BERTH_VERSION, '-v, --version')
    .option(
      '-H, --host <host>',
      'daemon socket (unix:///path or tcp://host:port); default BERTH_HOST, DOCKER_HOST, unix:///run/berth/berth.sock',
    )
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .hook('preAction', (cmd) => setHost(cmd.opts().host));
  const p = word ? narrowTo(root, word) : root;
  p.command('version')
    .description('Show the client and server versions')
    .option('-f, --format <format>')
    .action(async (o) => (await system()).version(o));
  p.command('info')
    .description('Show system-wide information')
    .option('-f, --format <format>')
    .action(async (o) => (await system()).info(o));
  p.command('events')
    .description('Stream events from the daemon')
    .option('--since <time>')
    .option('--until <time>')
    .option('-f, --filter <filter>', 'filter (type, event, container, image, label, …)', collect)
    .option('--format <format>')
    .action(async (o) => (await system()).events(o));
  imageCommands(p, false);
  containerCommands(p, false);
  containerCommands(p.command('container').description('Manage containers'), true);
  const image = p.command('image').description('Manage images');
  imageCommands(image, true);
  image
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('-f, --force')
    .option('--filter <filter>', 'filter (label, until)', collect)
    .action(async (o) => (await images()).prune(o));
  image
    .command('bootstrap')
    .description(
      'Make a base image from the host, with no registry: busybox (from busybox-static) or debian:SUITE (debootstrap)',
    )
    .argument('<name>', 'busybox, or debian:bookworm')
    .action(async (name: string) => {
      if (name === 'busybox' || name === 'busybox:latest')
        return (await import('./bootstrap/busybox.ts')).bootstrapBusybox();
      const m = /^debian(?::(\w+))?$/.exec(name);
      if (m) return (await import('./bootstrap/debian.ts')).bootstrapDebian(m[1] ?? 'bookworm');
      throw new Error(`cannot bootstrap "${name}": use busybox or debian:SUITE`);
    });
  const sys = p.command('system').description('Manage Berth');
  sys
    .command('df')
    .description('Show disk usage')
    .option('--format <format>')
    .option('-v, --verbose', 'show detailed information on space usage')
    .action(async (o) => (await system()).df(o));
  systemPruneCommand(sys);
  sys
    .command('info')
    .description('Show system-wide information')
    .option('-f, --format <format>')
    .action(async (o) => (await system()).info(o));
  sys
    .command('events')
    .description('Stream events')
    .option('--since <time>')
    .option('--until <time>')
    .option('-f, --filter <filter>', '', collect)
    .action(async (o) => (await system()).events(o));
  p.command('pull')
    .description('Download an image from a registry')
    .argument('<name>')
    .option('--platform <platform>', 'os/arch[/variant]')
    .option('-q, --quiet', 'print only the image name')
    .action(async (n, o) => (await distribution()).pull(n, o));
  p.command('push')
    .description('Upload an image to a registry')
    .argument('<name>')
    .option('-a, --all-tags', 'push every tag of the repository')
    .option('-q, --quiet')
    .action(async (n, o) => (await distribution()).push(n, o));
  p.command('login')
    .description('Log in to a registry')
    .argument('[server]')
    .option('-u, --username <username>')
    .option('-p, --password <password>')
    .option('--password-stdin', 'read the password from stdin')
    .action(async (s, o) => (await distribution()).login(s, o));
  p.command('logout')
    .description('Log out from a registry')
    .argument('[server]')
    .action(async (s) => (await distribution()).logout(s));
  buildCommands(p);
  networkCommands(p);
  volumeCommands(p);
  p.command('inspect')
    .description('Show low-level information on containers and images')
    .argument('<name...>')
    .addOption(new Option('-f, --format <format>'))
    .option('-s, --size', 'display total file sizes if the type is container')
    .option('--type <type>', 'return JSON for the specified type (container, image)')
    .action(async (n, o) => (await import('./commands/inspect.ts')).inspect(n, o, 'any'));
  p.command('compose')
    .description('Define and run multi-container applications from Compose files (berth compose --help)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]');
  p.command('registry')
    .description('Run a private OCI registry (berth registry serve --root DIR --addr HOST:PORT)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { registryMain } = await import('../registry/main.ts');
      process.exitCode = await registryMain(args);
    });
  return root;
}

/** Index of the `compose` command word, after only global options (`-H HOST`), or -1. */
function composeAt(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === 'compose') return i;
    if (a === '-H' || a === '--host') i++;
    else if (!a.startsWith('--host=')) return -1;
  }
  return -1;
}

function hostFlag(globals: string[]): string | undefined {
  let host: string | undefined;
  for (let i = 0; i < globals.length; i++) {
    if (globals[i] === '-H' || globals[i] === '--host') host = globals[++i];
    else if (globals[i].startsWith('--host=')) host = globals[i].slice(7);
  }
  return host;
}

export async function main(argv: string[]): Promise<void> {
  try {
    // `compose` has its own command line (its -f, -p, -v…): hand it everything after the word.
    const at = composeAt(argv);
    if (at >= 0) {
      setHost(hostFlag(argv.slice(0, at)));
      const { composeMain } = await import('./commands/compose.ts');
      process.exitCode = await composeMain(argv.slice(at + 1));
      return;
    }
    const word = commandWord(argv);
    const narrow = word === undefined ? undefined : program(word);
    await (narrow?.commands.length ? narrow : program()).parseAsync(argv, { from: 'user' });
  } catch (e) {
    reportError(e);
  }
}

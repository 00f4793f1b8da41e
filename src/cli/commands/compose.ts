/**
 * `berth compose …`: parses the Compose command line into options, loads
 * the project and makes one call into src/compose per command.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  down,
  type LoadOptions,
  loadProject,
  type Project,
  type Reporter,
  streamReporter,
} from '../../compose/index.ts';
import { api } from '../context.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const ops = () => import('./compose-ops.ts');

export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
  ansi?: string;
  progress?: string;
}

export interface Ctx {
  load(services?: string[]): Project;
  reporter: Reporter;
  colour: boolean;
  /** The project name alone, without needing the files (down, ps and friends work on a name). */
  name(): string;
}

/** `-f -`: the whole of stdin, synchronously (fd 0). */
function readStdin(): string {
  return readFileSync(0, 'utf8');
}

export function makeCtx(g: GlobalOptions): Ctx {
  const base: LoadOptions = {
    files: g.file,
    projectName: g.projectName,
    projectDirectory: g.projectDirectory,
    envFiles: g.envFile,
    profiles: g.profile?.flatMap((p) => p.split(',')),
  };
  const quiet = g.progress === 'quiet';
  const colour = g.ansi === 'always' || (g.ansi !== 'never' && !!process.stdout.isTTY && !process.env.NO_COLOR);
  return {
    load: (services) => loadProject({ ...base, services, stdin: g.file?.includes('-') ? readStdin() : undefined }),
    reporter: streamReporter(process.stderr, quiet),
    colour,
    name() {
      if (g.projectName) return g.projectName;
      return loadProject({ ...base, stdin: g.file?.includes('-') ? readStdin() : undefined }).name;
    },
  };
}

export function composeProgram(): Command {
  const c = new Command('compose')
    .description('Define and run multi-container applications with Compose files')
    .option('-f, --file <file>', 'Compose configuration files (repeatable)', collect)
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'alternate working directory (default: the first file’s directory)')
    .option('--env-file <file>', 'alternate environment files', collect)
    .option('--profile <profile>', 'enable a profile (repeatable)', collect)
    .option('--ansi <when>', 'never, always or auto', 'auto')
    .option('--progress <kind>', 'auto, plain, quiet', 'auto')
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .exitOverride();
  const ctx = () => makeCtx(c.opts() as GlobalOptions);
  const scale = (v: string, prev: Record<string, number> = {}) => {
    const [k, n] = v.split('=');
    if (!k || !/^\d+$/.test(n ?? '')) throw new Error(`invalid --scale "${v}": use SERVICE=NUM`);
    return { ...prev, [k]: Number(n) };
  };

  c.command('up')
    .description('Create and start containers')
    .argument('[services...]')
    .option('-d, --detach', 'run in the background')
    .option('--build', 'build images before starting')
    .option('--no-build', 'do not build missing images')
    .option('--pull <policy>', 'always, missing, never')
    .option('--scale <service=num>', 'scale a service (repeatable)', scale)
    .option('--wait', 'wait for services to be running or healthy (implies -d)')
    .option('--wait-timeout <seconds>', 'give up waiting after this long')
    .option('--force-recreate', 'recreate containers even if unchanged')
    .option('--no-recreate', 'do not recreate existing containers')
    .option('--no-deps', 'do not start linked services')
    .option('--no-start', 'create only')
    .option('--remove-orphans', 'remove containers of services not in the file')
    .option('-t, --timeout <seconds>', 'stop timeout for replaced containers')
    .option('--no-color', 'monochrome log output')
    .option('--no-log-prefix', 'do not prefix log lines')
    .option('--abort-on-container-exit', 'stop all containers when one stops')
    .action(async (services: string[], o) => (await ops()).upCmd(ctx(), services, o));
  c.command('down')
    .description('Stop and remove containers and networks')
    .option('-v, --volumes', 'also remove named volumes and anonymous volumes')
    .option('--rmi <which>', 'remove images: local or all')
    .option('--remove-orphans', 'remove containers of services not in the file')
    .option('-t, --timeout <seconds>')
    .action(async (o) => {
      const cx = ctx();
      if (o.rmi && o.rmi !== 'local' && o.rmi !== 'all') throw new Error('--rmi takes "local" or "all"');
      await down(api(), cx.load(), cx.reporter, {
        volumes: o.volumes,
        rmi: o.rmi,
        removeOrphans: o.removeOrphans,
        timeout: o.timeout === undefined ? undefined : Number(o.timeout),
      });
    });
  c.command('ps')
    .description('List containers')
    .argument('[services...]')
    .option('-a, --all', 'also stopped containers')
    .option('-q, --quiet', 'only IDs')
    .option('--services', 'only service names')
    .option('--format <format>', 'table or json')
    .option('--status <status>', 'filter by state', collect)
    .action(async (s, o) => (await ops()).psCmd(ctx(), s, o));
  c.command('logs')
    .description('Show container output')
    .argument('[services...]')
    .option('-f, --follow')
    .option('-n, --tail <n>', 'lines from the end', 'all')
    .option('-t, --timestamps')
    .option('--since <time>')
    .option('--until <time>')
    .option('--no-color')
    .option('--no-log-prefix')
    .action(async (s, o) => (await ops()).logsCmd(ctx(), s, o));
  c.command('build')
    .description('Build or rebuild services')
    .argument('[services...]')
    .option('--no-cache')
    .option('--pull')
    .option('--build-arg <k=v>', '', collect)
    .option('-q, --quiet')
    .action(async (s, o) => (await ops()).buildCmd(ctx(), s, o));
  c.command('pull')
    .description('Pull service images')
    .argument('[services...]')
    .option('-q, --quiet')
    .option('--ignore-buildable', 'skip services with a build section')
    .action(async (s, o) => (await ops()).pullCmd(ctx(), s, o));
  c.command('push')
    .description('Push service images')
    .argument('[services...]')
    .option('-q, --quiet')
    .action(async (s, o) => (await ops()).pushCmd(ctx(), s, o));
  c.command('exec')
    .description('Run a command in a running container')
    .argument('<service>')
    .argument('<command...>')
    .option('-d, --detach')
    .option('-T, --no-TTY', 'no pseudo-TTY (default: one when stdin is a terminal)')
    .option('-i, --interactive', 'keep stdin open', true)
    .option('-u, --user <user>')
    .option('-w, --workdir <dir>')
    .option('-e, --env <k=v>', '', collect)
    .option('--index <n>', 'which replica', '1')
    .option('--privileged')
    .passThroughOptions()
    .action(async (s, cmd, o) => (await ops()).execCmd(ctx(), s, cmd, o));
  c.command('run')
    .description('Run a one-off command on a service')
    .argument('<service>')
    .argument('[command...]')
    .option('--rm', 'remove the container when it exits')
    .option('-d, --detach')
    .option('-T, --no-TTY', 'no pseudo-TTY')
    .option('-i, --interactive', 'keep stdin open', true)
    .option('--no-deps')
    .option('-e, --env <k=v>', '', collect)
    .option('-l, --label <k=v>', '', collect)
    .option('-u, --user <user>')
    .option('-w, --workdir <dir>')
    .option('-v, --volume <bind>', '', collect)
    .option('--entrypoint <cmd>')
    .option('--name <name>')
    .option('-P, --service-ports', 'publish the service’s ports')
    .passThroughOptions()
    .action(async (s, cmd, o) => (await ops()).runCmd(ctx(), s, cmd, o));
  for (const [name, desc] of [
    ['start', 'Start services'],
    ['stop', 'Stop services'],
    ['restart', 'Restart services'],
  ] as const)
    c.command(name)
      .description(desc)
      .argument('[services...]')
      .option('-t, --timeout <seconds>')
      .action(async (s, o) => (await ops()).lifecycleCmd(ctx(), name, s, o));
  c.command('kill')
    .description('Force stop service containers')
    .argument('[services...]')
    .option('-s, --signal <signal>', '', 'SIGKILL')
    .option('--remove-orphans')
    .action(async (s, o) => (await ops()).lifecycleCmd(ctx(), 'kill', s, o));
  c.command('rm')
    .description('Remove stopped service containers')
    .argument('[services...]')
    .option('-f, --force', 'do not ask')
    .option('-s, --stop', 'stop the containers first')
    .option('-v, --volumes', 'remove anonymous volumes')
    .action(async (s, o) => (await ops()).rmCmd(ctx(), s, o));
  c.command('config')
    .alias('convert')
    .description('Show the normalised configuration')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-q, --quiet', 'only validate')
    .option('--services', 'service names')
    .option('--volumes', 'volume names')
    .option('--networks', 'network names')
    .option('--profiles', 'profile names')
    .option('--images', 'image names')
    .option('--hash <services>', 'config hash of services ("*" for all)')
    .option('-o, --output <file>')
    .action(async (o) => (await ops()).configCmd(ctx(), o));
  c.command('ls')
    .description('List running compose projects')
    .option('-a, --all', 'also stopped projects')
    .option('-q, --quiet')
    .option('--format <format>', 'table or json')
    .action(async (o) => (await ops()).lsCmd(o));
  c.command('top')
    .description('Show running processes')
    .argument('[services...]')
    .action(async (s) => (await ops()).topCmd(ctx(), s));
  c.command('images')
    .description('List images used by the created containers')
    .argument('[services...]')
    .option('-q, --quiet')
    .option('--format <format>')
    .action(async (s, o) => (await ops()).imagesCmd(ctx(), s, o));
  c.command('port')
    .description('Print the public port of a port binding')
    .argument('<service>')
    .argument('<private_port>')
    .option('--protocol <proto>', '', 'tcp')
    .option('--index <n>', '', '1')
    .action(async (s, port, o) => (await ops()).portCmd(ctx(), s, port, o));
  c.command('events')
    .description('Receive real time events from containers')
    .argument('[services...]')
    .option('--json')
    .action(async (s, o) => (await ops()).eventsCmd(ctx(), s, o));
  c.command('wait')
    .description('Block until the containers of all services stop, print their exit codes')
    .argument('<services...>')
    .option('--down-project', 'drop the project when the first container stops')
    .action(async (s, o) => (await ops()).waitCmd(ctx(), s, o));
  c.command('create')
    .description('Create containers for services')
    .argument('[services...]')
    .option('--build')
    .option('--force-recreate')
    .option('--no-recreate')
    .action(async (s, o) => (await ops()).upCmd(ctx(), s, { ...o, start: false, detach: true }));
  c.command('version')
    .description('Show the Compose version')
    .action(async () => {
      process.stdout.write(`Berth Compose version ${(await import('../../compose/index.ts')).COMPOSE_VERSION}\n`);
    });
  return c;
}

/** Entry from `berth compose ARGS…`: returns the exit code. */
export async function composeMain(args: string[]): Promise<number> {
  const c = composeProgram();
  process.exitCode = 0;
  try {
    await c.parseAsync(args, { from: 'user' });
  } catch (e) {
    const code = (e as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return (e as { exitCode?: number }).exitCode ?? 1;
    throw e;
  }
  return Number(process.exitCode ?? 0);
}

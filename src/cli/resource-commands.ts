/**
 * The `network` and `volume` command groups and `system prune`. Their
 * modules load on demand, so `berth version` stays fast.
 */
import type { Command } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const networks = () => import('./commands/networks.ts');
const volumes = () => import('./commands/volumes.ts');

export function networkCommands(p: Command): void {
  const net = p.command('network').description('Manage networks');
  net
    .command('create')
    .description('Create a network')
    .argument('<name>')
    .option('-d, --driver <driver>', 'driver to manage the network (bridge)', 'bridge')
    .option('--subnet <cidr>', 'subnet in CIDR format', collect)
    .option('--gateway <ip>', 'IPv4 gateway for the subnet', collect)
    .option('--ip-range <cidr>', 'allocate container IPs from a sub-range', collect)
    .option('--internal', 'restrict external access to the network')
    .option('--label <key=value>', 'set metadata on a network', collect)
    .option('-o, --opt <key=value>', 'driver specific options', collect)
    .option('--ipam-driver <driver>', 'IP address management driver (default)')
    .option('--ipv6', 'enable IPv6 networking')
    .option('--attachable', 'accepted for compatibility (every network is attachable)')
    .action(async (n, o) => (await networks()).create(n, o));
  net
    .command('ls')
    .alias('list')
    .description('List networks')
    .option('-f, --filter <filter>', 'filter output (driver, id, label, name, scope, type, dangling)', collect)
    .option('-q, --quiet', 'only display network IDs')
    .option('--format <format>', "'table', 'json' or a Go-style template")
    .option('--no-trunc', 'do not truncate the output')
    .action(async (o) => (await networks()).list({ ...o, noTrunc: o.trunc === false }));
  net
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .option('-f, --format <format>')
    .option('-v, --verbose', 'accepted for compatibility')
    .action(async (n, o) => (await networks()).inspect(n, o));
  net
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .option('-f, --force', 'do not error if the network does not exist')
    .action(async (n, o) => (await networks()).remove(n, o));
  net
    .command('connect')
    .description('Connect a container to a network')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <alias>', 'network-scoped alias for the container', collect)
    .option('--ip <address>', 'IPv4 address')
    .option('--ip6 <address>', 'IPv6 address')
    .option('--link <container>', 'add a link to another container', collect)
    .option('--driver-opt <key=value>', 'driver options for the network', collect)
    .action(async (n, c, o) => (await networks()).connect(n, c, o));
  net
    .command('disconnect')
    .description('Disconnect a container from a network')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'force the container to disconnect from a network')
    .action(async (n, c, o) => (await networks()).disconnect(n, c, o));
  net
    .command('prune')
    .description('Remove all unused networks')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "label=<key>=<value>")', collect)
    .action(async (o) => (await networks()).prune(o));
}

export function volumeCommands(p: Command): void {
  const vol = p.command('volume').description('Manage volumes');
  vol
    .command('create')
    .description('Create a volume')
    .argument('[name]')
    .option('-d, --driver <driver>', 'volume driver name (local)', 'local')
    .option('-o, --opt <key=value>', 'driver specific options (type, o, device)', collect)
    .option('--label <key=value>', 'set metadata for a volume', collect)
    .option('--name <name>', 'volume name')
    .action(async (n, o) => (await volumes()).create(n, o));
  vol
    .command('ls')
    .alias('list')
    .description('List volumes')
    .option('-f, --filter <filter>', 'filter output (dangling, driver, label, name)', collect)
    .option('-q, --quiet', 'only display volume names')
    .option('--format <format>', "'table', 'json' or a Go-style template")
    .action(async (o) => (await volumes()).list(o));
  vol
    .command('inspect')
    .description('Display detailed information on one or more volumes')
    .argument('<volume...>')
    .option('-f, --format <format>')
    .action(async (n, o) => (await volumes()).inspect(n, o));
  vol
    .command('rm')
    .alias('remove')
    .description('Remove one or more volumes')
    .argument('<volume...>')
    .option('-f, --force', 'do not error if the volume does not exist')
    .action(async (n, o) => (await volumes()).remove(n, o));
  vol
    .command('prune')
    .description('Remove unused local volumes (anonymous ones unless -a)')
    .option('-a, --all', 'remove all unused volumes, not just anonymous ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "label=<label>")', collect)
    .action(async (o) => (await volumes()).prune(o));
}

/** `system prune`, added to the `system` group. */
export function systemPruneCommand(sys: Command): void {
  sys
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('--volumes', 'prune anonymous volumes')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "label=<key>=<value>")', collect)
    .action(async (o) => (await import('./commands/system-prune.ts')).systemPrune(o));
}

/**
 * The flags of `berth run` and `berth create` (docker's), as commander
 * options. Definitions only: loaded at start-up, so nothing heavy here;
 * run-flags/ turns the parsed values into a create request.
 */
import type { Command } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const bool = (v: string | undefined) => v === undefined || !/^(false|0|no)$/i.test(v);

export function addCreateOptions(cmd: Command): Command {
  return cmd
    .helpOption('--help', 'display help for command')
    .option('-a, --attach <stream>', 'attach to STDIN, STDOUT or STDERR', collect)
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--name <name>', 'assign a name to the container')
    .option('--rm', 'automatically remove the container and its anonymous volumes when it exits')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('--env-file <file>', 'read in a file of environment variables', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('--entrypoint <command>', 'overwrite the default ENTRYPOINT of the image')
    .option('-h, --hostname <name>', 'container host name')
    .option('--domainname <name>', 'container NIS domain name')
    .option('-l, --label <KEY=VALUE>', 'set meta data on a container', collect)
    .option('--label-file <file>', 'read in a line delimited file of labels', collect)
    .option('--init', 'run an init inside the container that forwards signals and reaps processes')
    .option('--read-only', "mount the container's root filesystem as read only")
    .option('--tmpfs <path[:options]>', 'mount a tmpfs directory', collect)
    .option('-v, --volume <src:dst[:opts]>', 'bind mount a volume', collect)
    .option('--mount <mount>', 'attach a filesystem mount to the container', collect)
    .option('--volumes-from <container>', 'mount volumes from the specified container(s)', collect)
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', "swap limit equal to memory plus swap: '-1' for unlimited swap")
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--oom-kill-disable', 'disable OOM killer')
    .option('--cpus <number>', 'number of CPUs')
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)')
    .option('--cpu-period <n>', 'limit CPU CFS period')
    .option('--cpu-quota <n>', 'limit CPU CFS quota')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--blkio-weight <n>', 'block IO weight (10 to 1000)')
    .option('--pids-limit <n>', 'tune container pids limit (set -1 for unlimited)')
    .option('--ulimit <name=soft[:hard]>', 'ulimit options', collect)
    .option('--shm-size <bytes>', 'size of /dev/shm')
    .option('--restart <policy>', 'restart policy to apply when a container exits', 'no')
    .option('--health-cmd <command>', 'command to run to check health')
    .option('--health-interval <duration>', 'time between running the check (ms|s|m|h)')
    .option('--health-timeout <duration>', 'maximum time to allow one check to run (ms|s|m|h)')
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy')
    .option('--health-start-period <duration>', 'start period for the container to initialize (ms|s|m|h)')
    .option('--health-start-interval <duration>', 'time between running the check during the start period')
    .option('--no-healthcheck', 'disable any container-specified HEALTHCHECK')
    .option('--stop-signal <signal>', 'signal to stop the container')
    .option('--stop-timeout <seconds>', 'timeout (in seconds) to stop a container')
    .option('--privileged', 'give extended privileges to this container')
    .option('--cap-add <cap>', 'add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'drop Linux capabilities', collect)
    .option('--security-opt <opt>', 'security options', collect)
    .option('--device <device>', 'add a host device to the container', collect)
    .option('--sysctl <k=v>', 'sysctl options', collect)
    .option('--runtime <runtime>', 'runtime to use for this container')
    .option('-p, --publish <port>', "publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'publish all exposed ports to random ports')
    .option('--expose <port>', 'expose a port or a range of ports', collect)
    .option('--network <network>', 'connect a container to a network')
    .option('--network-alias <alias>', 'add network-scoped alias for the container', collect)
    .option('--ip <address>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--add-host <host:ip>', 'add a custom host-to-IP mapping', collect)
    .option('--dns <ip>', 'set custom DNS servers', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains', collect)
    .option('--dns-option <option>', 'set DNS options', collect)
    .option('--ipc <mode>', 'IPC mode to use')
    .option('--pid <mode>', 'PID namespace to use')
    .option('--uts <mode>', 'UTS namespace to use')
    .option('--group-add <group>', 'add additional groups to join', collect)
    .option('--log-driver <driver>', 'logging driver for the container')
    .option('--log-opt <k=v>', 'log driver options', collect)
    .option('--cidfile <file>', 'write the container ID to the file')
    .option('--pull <policy>', 'pull image before running ("always", "missing", "never")', 'missing')
    .option('--platform <platform>', 'set platform if server is multi-platform capable')
    .option('-q, --quiet', 'suppress the pull output');
}

/** The extra flags of `run`. */
export function addRunOptions(cmd: Command): Command {
  return addCreateOptions(cmd)
    .option('-d, --detach', 'run container in background and print container ID')
    .option('--detach-keys <keys>', 'override the key sequence for detaching a container')
    .option('--sig-proxy [bool]', 'proxy received signals to the process', bool, true);
}

/** What the engine tells the runtime layer about a container to build its config.json. */

export interface ProcessInput {
  args: string[];
  /** `KEY=value` entries. */
  env: string[];
  /** Absolute path inside the container; default `/`. */
  cwd?: string;
  uid: number;
  gid: number;
  additionalGids?: number[];
  tty?: boolean;
  /** Initial terminal size (conmon starts the pty at 0×0 otherwise). */
  consoleSize?: { height: number; width: number };
  noNewPrivileges?: boolean;
  umask?: number;
}

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export interface BindMountInput {
  type: 'bind';
  source: string;
  target: string;
  readonly?: boolean;
  propagation?: Propagation;
  /** Default true (rbind), as Docker. */
  recursive?: boolean;
}

export interface TmpfsMountInput {
  type: 'tmpfs';
  target: string;
  /** Bytes; undefined = the kernel's default (half of RAM). */
  size?: number;
  /** Octal permission bits, e.g. 0o1777. */
  mode?: number;
  /** Further options as for mount(8): `noexec`, `uid=1000`, … */
  options?: string[];
  readonly?: boolean;
}

export type MountInput = BindMountInput | TmpfsMountInput;

export interface DeviceInput {
  pathOnHost: string;
  /** Default: pathOnHost. */
  pathInContainer?: string;
  /** Any of r, w, m; default rwm. */
  permissions?: string;
}

export interface UlimitInput {
  /** Docker's names: nofile, nproc, core, memlock, stack, … */
  name: string;
  soft: number;
  hard: number;
}

/** Resource limits in Docker's units (bytes, nano-CPUs); 0/undefined = unset. */
export interface ResourcesInput {
  memory?: number;
  /** memory + swap in bytes; -1 = unlimited swap; unset with memory set = 2 × memory (Docker's rule). */
  memorySwap?: number;
  memoryReservation?: number;
  /** CPU count × 1e9 (`--cpus 1.5` → 1.5e9). */
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** ≤ 0 or undefined = unlimited. */
  pidsLimit?: number;
  blkioWeight?: number;
}

/** A namespace: a fresh one, the host's, or an existing one to join by path. */
export type NamespaceMode = 'private' | 'host' | { path: string };

export type SeccompInput =
  | { mode: 'default' }
  | { mode: 'unconfined' }
  /** A profile file's text, OCI or Docker JSON form. */
  | { mode: 'profile'; json: string };

export interface RuntimeSpecInput {
  id: string;
  /** Absolute path of the mounted root filesystem. */
  rootfs: string;
  readonlyRootfs?: boolean;
  process: ProcessInput;
  hostname?: string;
  mounts?: MountInput[];
  /** /dev/shm size in bytes; default 64 MiB. */
  shmSize?: number;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  seccomp?: SeccompInput;
  devices?: DeviceInput[];
  sysctls?: Record<string, string>;
  ulimits?: UlimitInput[];
  resources?: ResourcesInput;
  /** e.g. `/berth-1a2b3c`; the container's cgroup is `PARENT/ID`. */
  cgroupParent: string;
  /** network: `private` = a fresh netns (loopback only, Docker's `none`). */
  namespaces?: { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; uts?: NamespaceMode };
  annotations?: Record<string, string>;
}

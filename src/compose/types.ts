/**
 * The loaded Compose model: the specification's attributes in their long,
 * canonical form (what `berth compose config` prints), plus the project's
 * name and where it came from.
 */

export interface PortConfig {
  name?: string;
  mode?: string;
  host_ip?: string;
  target: number;
  /** A host port or range ("8080", "8000-8010"); absent: any free port. */
  published?: string;
  protocol: string;
  app_protocol?: string;
}

export interface VolumeMountConfig {
  type: 'bind' | 'volume' | 'tmpfs' | 'cluster' | 'npipe' | 'image';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: string; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Record<string, string> };
  tmpfs?: { size?: number | string; mode?: number };
  image?: { subpath?: string };
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface DependsOnConfig {
  condition: DependsOnCondition;
  restart?: boolean;
  required: boolean;
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  interface_name?: string;
  link_local_ips?: string[];
  mac_address?: string;
  priority?: number;
  driver_opts?: Record<string, string>;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  cache_from?: string[];
  no_cache?: boolean;
  pull?: boolean;
  network?: string;
  shm_size?: number | string;
  extra_hosts?: string[];
  tags?: string[];
  platforms?: string[];
  [key: string]: unknown;
}

export interface HealthcheckConfig {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ResourceSpec {
  cpus?: string | number;
  memory?: string;
  pids?: number | string;
}

export interface DeployConfig {
  mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  resources?: { limits?: ResourceSpec; reservations?: ResourceSpec & Record<string, unknown> };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
  [key: string]: unknown;
}

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number | string;
}

export interface ServiceConfig {
  image?: string;
  build?: BuildConfig;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  env_file?: Array<{ path: string; required: boolean }>;
  ports?: PortConfig[];
  expose?: string[];
  volumes?: VolumeMountConfig[];
  networks?: Record<string, ServiceNetworkConfig | null>;
  network_mode?: string;
  depends_on?: Record<string, DependsOnConfig>;
  healthcheck?: HealthcheckConfig;
  restart?: string;
  deploy?: DeployConfig;
  scale?: number;
  labels?: Record<string, string>;
  user?: string;
  working_dir?: string;
  init?: boolean;
  tmpfs?: string[];
  read_only?: boolean;
  extra_hosts?: string[];
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  cap_add?: string[];
  cap_drop?: string[];
  stop_signal?: string;
  stop_grace_period?: string;
  profiles?: string[];
  container_name?: string;
  hostname?: string;
  domainname?: string;
  privileged?: boolean;
  stdin_open?: boolean;
  tty?: boolean;
  secrets?: FileReference[];
  configs?: FileReference[];
  sysctls?: Record<string, string>;
  ulimits?: Record<string, number | { soft: number; hard: number }>;
  security_opt?: string[];
  mem_limit?: number | string;
  mem_reservation?: number | string;
  memswap_limit?: number | string;
  cpus?: number | string;
  cpu_shares?: number | string;
  pids_limit?: number | string;
  shm_size?: number | string;
  pull_policy?: string;
  platform?: string;
  links?: string[];
  volumes_from?: string[];
  extends?: { service: string; file?: string };
  [key: string]: unknown;
}

export interface NetworkConfig {
  name?: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: {
    driver?: string;
    config?: Array<{ subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Record<string, string> }>;
    options?: Record<string, string>;
  };
  external?: boolean;
  internal?: boolean;
  enable_ipv6?: boolean;
  attachable?: boolean;
  labels?: Record<string, string>;
}

export interface VolumeConfig {
  name?: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
}

export interface FileObjectConfig {
  name?: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
}

export interface Project {
  name: string;
  /** The project directory: relative paths resolve against it. */
  workingDir: string;
  configFiles: string[];
  services: Record<string, ServiceConfig>;
  /** Services left out by their profiles (kept for --profile checks and `run`). */
  disabled: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  /** The variables interpolation used (.env merged under the process environment). */
  environment: Record<string, string>;
}

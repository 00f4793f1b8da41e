/**
 * The Compose Specification's schema (compose-spec.json, as of 2025),
 * written in schema.ts's terms: every top-level element, every service
 * attribute with its type, the required fields and the allowed values.
 * No npm package carries a current copy of the JSON schema, so it is
 * expressed here from the specification.
 */
import { any, arr, bool, int, map, nul, num, obj, one, type Schema, str } from './schema.ts';

const s = str();
const strs = arr(s);
const uniqueStrs = arr(s, true);
const strOrList = one(s, strs);
const scalar = one(s, num, bool, nul);
const listOrDict = one(map(scalar), uniqueStrs);
const numOrStr = one(num, s);
const intOrStr = one(int, s);
const duration = s;
const commandLike = one(nul, s, strs);
const labels = listOrDict;
const driverOpts = map(one(s, num));
const external = one(bool, obj({ name: s }));

const serviceConfigOrSecret = arr(one(s, obj({ source: s, target: s, uid: s, gid: s, mode: one(num, s) })));

const ulimits = map(one(int, s, obj({ hard: intOrStr, soft: intOrStr }, ['soft', 'hard'])));

const build = one(
  s,
  obj({
    context: s,
    dockerfile: s,
    dockerfile_inline: s,
    entitlements: strs,
    args: listOrDict,
    ssh: listOrDict,
    labels,
    cache_from: strs,
    cache_to: strs,
    no_cache: bool,
    additional_contexts: listOrDict,
    network: s,
    provenance: one(s, bool),
    sbom: one(s, bool),
    pull: bool,
    target: s,
    shm_size: intOrStr,
    extra_hosts: listOrDict,
    isolation: s,
    privileged: bool,
    secrets: serviceConfigOrSecret,
    tags: strs,
    ulimits,
    platforms: strs,
  }),
);

const healthcheck = obj({
  disable: bool,
  interval: duration,
  retries: num,
  test: strOrList,
  timeout: duration,
  start_period: duration,
  start_interval: duration,
});

const resource = obj({ cpus: numOrStr, memory: s, pids: intOrStr });
const deploy = one(
  nul,
  obj({
    mode: s,
    endpoint_mode: s,
    replicas: int,
    labels,
    rollback_config: map(any),
    update_config: map(any),
    resources: obj({
      limits: resource,
      reservations: obj({
        cpus: numOrStr,
        memory: s,
        generic_resources: arr(any),
        devices: arr(
          obj({
            capabilities: strs,
            count: one(s, int),
            device_ids: strs,
            driver: s,
            options: listOrDict,
          }),
        ),
      }),
    }),
    restart_policy: obj({ condition: s, delay: duration, max_attempts: int, window: duration }),
    placement: map(any),
  }),
);

const portLong = obj({
  name: s,
  mode: s,
  host_ip: s,
  target: intOrStr,
  published: one(s, int),
  protocol: s,
  app_protocol: s,
});

const volumeLong = obj(
  {
    type: str({ enum: ['bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image'] }),
    source: s,
    target: s,
    read_only: bool,
    consistency: s,
    bind: obj({
      propagation: s,
      create_host_path: bool,
      recursive: str({ enum: ['enabled', 'disabled', 'writable', 'readonly'] }),
      selinux: str({ enum: ['z', 'Z'] }),
    }),
    volume: obj({ labels, nocopy: bool, subpath: s }),
    tmpfs: obj({ size: one(int, s), mode: num }),
    image: obj({ subpath: s }),
  },
  ['type'],
);

const serviceNetwork = one(
  nul,
  obj({
    aliases: strs,
    interface_name: s,
    ipv4_address: s,
    ipv6_address: s,
    link_local_ips: strs,
    mac_address: s,
    driver_opts: driverOpts,
    priority: num,
    gw_priority: num,
  }),
);

const dependsOn = one(
  uniqueStrs,
  map(
    obj(
      {
        condition: str({ enum: ['service_started', 'service_healthy', 'service_completed_successfully'] }),
        restart: bool,
        required: bool,
      },
      ['condition'],
    ),
  ),
);

const envFile = one(s, arr(one(s, obj({ path: s, required: bool, format: s }, ['path']))));

const hook = obj({ command: commandLike, user: s, privileged: bool, working_dir: s, environment: listOrDict }, [
  'command',
]);

export const serviceSchema: Schema = obj({
  annotations: listOrDict,
  attach: bool,
  build,
  blkio_config: map(any),
  cap_add: uniqueStrs,
  cap_drop: uniqueStrs,
  cgroup: str({ enum: ['host', 'private'] }),
  cgroup_parent: s,
  command: commandLike,
  configs: serviceConfigOrSecret,
  container_name: s,
  cpu_count: int,
  cpu_percent: int,
  cpu_shares: numOrStr,
  cpu_quota: numOrStr,
  cpu_period: numOrStr,
  cpu_rt_period: numOrStr,
  cpu_rt_runtime: numOrStr,
  cpus: numOrStr,
  cpuset: s,
  credential_spec: map(any),
  depends_on: dependsOn,
  deploy,
  develop: map(any),
  device_cgroup_rules: strs,
  devices: arr(one(s, obj({ source: s, target: s, permissions: s }, ['source']))),
  dns: strOrList,
  dns_opt: strs,
  dns_search: strOrList,
  domainname: s,
  entrypoint: commandLike,
  env_file: envFile,
  label_file: strOrList,
  environment: listOrDict,
  expose: arr(one(s, num), true),
  extends: one(s, obj({ service: s, file: s }, ['service'])),
  external_links: strs,
  extra_hosts: listOrDict,
  gpus: one(str({ enum: ['all'] }), arr(map(any))),
  group_add: arr(one(s, num)),
  healthcheck,
  hostname: s,
  image: s,
  init: bool,
  ipc: s,
  isolation: s,
  labels,
  links: strs,
  logging: obj({ driver: s, options: map(one(s, num, nul)) }),
  mac_address: s,
  mem_limit: numOrStr,
  mem_reservation: numOrStr,
  mem_swappiness: int,
  memswap_limit: numOrStr,
  network_mode: s,
  networks: one(uniqueStrs, map(serviceNetwork)),
  oom_kill_disable: bool,
  oom_score_adj: int,
  pid: one(s, nul),
  pids_limit: numOrStr,
  platform: s,
  ports: arr(one(num, s, portLong)),
  post_start: arr(hook),
  pre_stop: arr(hook),
  privileged: bool,
  profiles: uniqueStrs,
  pull_policy: s,
  pull_refresh_after: s,
  read_only: bool,
  restart: s,
  runtime: s,
  scale: int,
  security_opt: strs,
  shm_size: numOrStr,
  secrets: serviceConfigOrSecret,
  sysctls: listOrDict,
  stdin_open: bool,
  stop_grace_period: duration,
  stop_signal: s,
  storage_opt: map(any),
  tmpfs: strOrList,
  tty: bool,
  ulimits,
  use_api_socket: bool,
  user: s,
  uts: s,
  userns_mode: s,
  volumes: arr(one(s, volumeLong)),
  volumes_from: strs,
  working_dir: s,
});

const network = one(
  nul,
  obj({
    name: s,
    driver: s,
    driver_opts: driverOpts,
    ipam: obj({
      driver: s,
      config: arr(obj({ subnet: s, ip_range: s, gateway: s, aux_addresses: map(s) })),
      options: map(s),
    }),
    external,
    internal: bool,
    enable_ipv4: bool,
    enable_ipv6: bool,
    attachable: bool,
    labels,
  }),
);

const volume = one(nul, obj({ name: s, driver: s, driver_opts: driverOpts, external, labels }));

const fileObject = (extra: Record<string, Schema>): Schema =>
  obj({ name: s, environment: s, file: s, external, labels, template_driver: s, ...extra });

const include = arr(one(s, obj({ path: strOrList, env_file: strOrList, project_directory: s }, ['path'])));

const NAME = /^[a-zA-Z0-9._-]+$/;

export const composeSchema: Schema = obj({
  version: s,
  name: str({ pattern: /^[a-z0-9][a-z0-9_-]*$/ }),
  include,
  services: map(serviceSchema, NAME),
  models: map(any),
  networks: map(network, NAME),
  volumes: map(volume, NAME),
  secrets: map(fileObject({ driver: s, driver_opts: driverOpts, content: s }), NAME),
  configs: map(fileObject({ content: s }), NAME),
});

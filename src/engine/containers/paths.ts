/**
 * Where a container's files live.
 *
 *   DATA_ROOT/containers/ID/      hostname, hosts, resolv.conf, ctr.log (k8s-file, rotated ctr.log.1 …)
 *   EXEC_ROOT/c/ID/               the OCI bundle: config.json, rootfs/ (overlay mount), conmon's files
 *   EXEC_ROOT/runtime/            runtime state roots (crun/, runc/) and exit files (exits/)
 * The bundle path stays short so that conmon's attach socket path fits in 108 bytes.
 */
import { join } from 'node:path';

export interface ContainerPaths {
  dir: string;
  bundle: string;
  rootfs: string;
  log: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function containerPaths(dataRoot: string, execRoot: string, id: string): ContainerPaths {
  const dir = join(dataRoot, 'containers', id);
  const bundle = join(execRoot, 'c', id);
  return {
    dir,
    bundle,
    rootfs: join(bundle, 'rootfs'),
    log: join(dir, 'ctr.log'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
  };
}

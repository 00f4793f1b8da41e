/**
 * buildSpec: a typed RuntimeSpecInput → the OCI runtime `config.json`
 * object, with Docker's security defaults (capabilities, seccomp, masked
 * paths, minimal /dev, fresh namespaces). Pure except for stat(2) of
 * `--device` paths and reading /proc/self/limits for `--ulimit`.
 *
 * No `oomScoreAdj` is ever written: this VM lacks CAP_SYS_RESOURCE and a
 * value below the current one makes every create fail.
 */
import { isAbsolute, posix } from 'node:path';
import { InvalidArgumentError } from '../lib/errors.ts';
import { resolveCapabilities } from './capabilities-default.ts';
import { defaultDeviceRules, hostDevices, resolveDevice } from './devices.ts';
import { buildRlimits } from './limits.ts';
import { buildMounts, MASKED_PATHS, READONLY_PATHS } from './mounts.ts';
import type { OciDevice, OciNamespace, OciSpec } from './oci-types.ts';
import { buildResources } from './resources.ts';
import { defaultSeccompProfile } from './seccomp-default.ts';
import { parseSeccompProfile } from './seccomp-profile.ts';
import type { NamespaceMode, RuntimeSpecInput } from './spec-input.ts';

export const OCI_VERSION = '1.0.2';

/** The cgroup of a container: `PARENT/ID`, PARENT absolute (e.g. `/berth-1a2b3c`). */
export function cgroupsPathFor(parent: string, id: string): string {
  if (!/^\/[A-Za-z0-9_.\-/]*$/.test(parent) || parent.includes('..')) {
    throw new InvalidArgumentError(`invalid cgroup parent: ${parent}`);
  }
  return posix.join(parent, id);
}

function namespaces(ns: RuntimeSpecInput['namespaces']): OciNamespace[] {
  const out: OciNamespace[] = [{ type: 'mount' }];
  const add = (type: OciNamespace['type'], mode: NamespaceMode | undefined) => {
    if (mode === 'host') return;
    if (mode === undefined || mode === 'private') out.push({ type });
    else {
      if (!isAbsolute(mode.path)) throw new InvalidArgumentError(`${type} namespace path must be absolute`);
      out.push({ type, path: mode.path });
    }
  };
  add('pid', ns?.pid);
  add('ipc', ns?.ipc);
  add('uts', ns?.uts);
  add('network', ns?.network);
  return out;
}

function checkId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) throw new InvalidArgumentError(`invalid container id: ${id}`);
}

export function buildSpec(input: RuntimeSpecInput): OciSpec {
  checkId(input.id);
  if (!isAbsolute(input.rootfs)) throw new InvalidArgumentError('rootfs must be an absolute path');
  const p = input.process;
  if (!p.args.length) throw new InvalidArgumentError('no command specified');
  const cwd = p.cwd || '/';
  if (!isAbsolute(cwd))
    throw new InvalidArgumentError(`the working directory '${cwd}' is invalid: it must be absolute`);
  const privileged = input.privileged === true;
  const caps = resolveCapabilities(input);

  const user: OciSpec['process']['user'] = { uid: p.uid, gid: p.gid };
  if (p.additionalGids?.length) user.additionalGids = [...new Set(p.additionalGids)];
  if (p.umask !== undefined) user.umask = p.umask;

  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: p.tty === true,
      user,
      args: [...p.args],
      env: [...p.env],
      cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: p.noNewPrivileges === true,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs === true },
    hostname: input.hostname ?? input.id.slice(0, 12),
    mounts: buildMounts(input.mounts, { shmSize: input.shmSize, privileged }),
    linux: {
      namespaces: namespaces(input.namespaces),
      cgroupsPath: cgroupsPathFor(input.cgroupParent, input.id),
      resources: buildResources(input.resources),
    },
  };
  if (p.tty && p.consoleSize) spec.process.consoleSize = p.consoleSize;
  if (input.namespaces?.uts === 'host') delete spec.hostname;
  const rlimits = buildRlimits(input.ulimits);
  if (rlimits.length) spec.process.rlimits = rlimits;
  if (input.annotations && Object.keys(input.annotations).length) spec.annotations = { ...input.annotations };

  const linux = spec.linux;
  const resources = linux.resources!;
  if (privileged) {
    resources.devices = [{ allow: true, access: 'rwm' }];
  } else {
    resources.devices = defaultDeviceRules();
    linux.maskedPaths = [...MASKED_PATHS];
    linux.readonlyPaths = [...READONLY_PATHS];
  }
  const devices: OciDevice[] = privileged ? hostDevices() : [];
  for (const d of input.devices ?? []) {
    const r = resolveDevice(d);
    devices.push(r.device);
    resources.devices.push(r.rule);
  }
  if (devices.length) linux.devices = devices;
  if (input.sysctls && Object.keys(input.sysctls).length) linux.sysctl = { ...input.sysctls };

  const seccomp = input.seccomp ?? { mode: 'default' };
  if (!privileged && seccomp.mode === 'default') linux.seccomp = defaultSeccompProfile(caps);
  else if (seccomp.mode === 'profile') linux.seccomp = parseSeccompProfile(seccomp.json, caps);
  return spec;
}

/**
 * Devices: the device cgroup rules Docker grants every container, and the
 * `--device` entries (looked up on the host with stat(2)).
 */

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { major, minor } from '../lib/devnum.ts';
import { InvalidArgumentError } from '../lib/errors.ts';
import type { OciDevice, OciDeviceCgroup } from './oci-types.ts';
import type { DeviceInput } from './spec-input.ts';

/** null, zero, full, random, urandom, tty, console, ptmx, pts/*, tun: what Docker allows. */
export function defaultDeviceRules(): OciDeviceCgroup[] {
  const c = (major: number, minor: number | undefined, access = 'rwm'): OciDeviceCgroup =>
    minor === undefined ? { allow: true, type: 'c', major, access } : { allow: true, type: 'c', major, minor, access };
  return [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    c(1, 3), // null
    c(1, 5), // zero
    c(1, 7), // full
    c(1, 8), // random
    c(1, 9), // urandom
    c(5, 0), // tty
    c(5, 1), // console
    c(5, 2), // ptmx
    c(136, undefined), // pts
    c(10, 200), // net/tun
  ];
}

export function resolveDevice(d: DeviceInput): { device: OciDevice; rule: OciDeviceCgroup } {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(d.pathOnHost);
  } catch {
    throw new InvalidArgumentError(`error gathering device information while adding custom device "${d.pathOnHost}"`);
  }
  let type: 'c' | 'b';
  if (st.isCharacterDevice()) type = 'c';
  else if (st.isBlockDevice()) type = 'b';
  else throw new InvalidArgumentError(`not a device node: ${d.pathOnHost}`);
  const perms = d.permissions ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(perms)) throw new InvalidArgumentError(`invalid device permissions: ${perms}`);
  const rdev = Number(st.rdev);
  const maj = major(rdev);
  const min = minor(rdev);
  return {
    device: {
      type,
      path: d.pathInContainer ?? d.pathOnHost,
      major: maj,
      minor: min,
      fileMode: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
    },
    rule: { allow: true, type, major: maj, minor: min, access: perms },
  };
}

/** Every device node under the host's /dev (for --privileged), except pts, shm and mqueue. */
export function hostDevices(dir = '/dev'): OciDevice[] {
  const out: OciDevice[] = [];
  const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/dev/ptmx']);
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const path = `${d}/${n}`;
      if (skip.has(path)) continue;
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(path);
      else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const rdev = Number(st.rdev);
        out.push({
          type: st.isCharacterDevice() ? 'c' : 'b',
          path,
          major: major(rdev),
          minor: minor(rdev),
          fileMode: Number(st.mode) & 0o7777,
          uid: Number(st.uid),
          gid: Number(st.gid),
        });
      }
    }
  };
  walk(dir);
  return out;
}

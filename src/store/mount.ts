/**
 * Mounting MountSpecs with mount(2) through the native helper (no process
 * spawned). Overlay options longer than one page (the kernel's limit for
 * mount data) are shortened: first by reaching the layers through
 * `/proc/self/fd/N/`, N an open descriptor of their common parent directory
 * (enough for 128 layers); past that (up to overlayfs' 500 layers) by paths
 * relative to that directory, made the working directory for the length of
 * the (synchronous) mount call.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../lib/errors.ts';
import { MNT, MS, native } from '../sys/native.ts';
import type { MountSpec } from './types.ts';

/** mount(2) takes at most one page of data, NUL included. */
export const MOUNT_DATA_MAX = 4095;

const PATH_KEYS = ['lowerdir=', 'upperdir=', 'workdir='];

function optionPaths(options: readonly string[]): string[] {
  const out: string[] = [];
  for (const o of options) {
    const k = PATH_KEYS.find((p) => o.startsWith(p));
    if (k) out.push(...o.slice(k.length).split(':'));
  }
  return out;
}

function commonDir(paths: readonly string[]): string {
  let dir = dirname(paths[0]);
  while (!paths.every((p) => p.startsWith(`${dir}/`)) && dir !== '/') dir = dirname(dir);
  return dir;
}

/**
 * The mount data of an overlay spec: the options joined, with the layer
 * paths rewritten under `prefix` (a stand-in for `dir`) when given.
 */
export function overlayData(options: readonly string[], rewrite?: { dir: string; prefix: string }): string {
  if (!rewrite) return options.join(',');
  const cut = rewrite.dir === '/' ? 1 : rewrite.dir.length + 1;
  return options
    .map((o) => {
      const k = PATH_KEYS.find((p) => o.startsWith(p));
      if (!k) return o;
      const paths = o.slice(k.length).split(':');
      return k + paths.map((p) => `${rewrite.prefix}${p.slice(cut)}`).join(':');
    })
    .join(',');
}

function mountOverlay(spec: MountSpec, target: string): void {
  const sys = native();
  const data = overlayData(spec.options);
  if (data.length <= MOUNT_DATA_MAX) {
    sys.mount(spec.source || 'overlay', target, 'overlay', 0, data);
    return;
  }
  const dir = commonDir(optionPaths(spec.options));
  const fd = openSync(dir, 'r');
  try {
    const viaFd = overlayData(spec.options, { dir, prefix: `/proc/self/fd/${fd}/` });
    if (viaFd.length <= MOUNT_DATA_MAX) {
      sys.mount(spec.source || 'overlay', target, 'overlay', 0, viaFd);
      return;
    }
  } finally {
    closeSync(fd);
  }
  const relative = overlayData(spec.options, { dir, prefix: '' });
  if (relative.length > MOUNT_DATA_MAX) {
    throw new InvalidArgumentError(
      `overlay mount options for ${target} are ${relative.length} bytes, more than one page even shortened (too many layers)`,
    );
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    sys.mount(spec.source || 'overlay', resolve(cwd, target), 'overlay', 0, relative);
  } finally {
    process.chdir(cwd);
  }
}

function mountBind(spec: MountSpec, target: string): void {
  const sys = native();
  const rec = spec.options.includes('rbind') ? MS.REC : 0;
  sys.mount(spec.source, target, null, MS.BIND | rec, null);
  if (spec.options.includes('ro')) {
    try {
      sys.mount(null, target, null, MS.REMOUNT | MS.BIND | MS.RDONLY | rec, null);
    } catch (e) {
      sys.umount2(target, MNT.DETACH);
      throw e;
    }
  }
}

/** Mounts the specs, in order, on `target` (created if missing). */
export function mountAll(specs: readonly MountSpec[], target: string): void {
  mkdirSync(target, { recursive: true });
  for (const s of specs) {
    if (s.type === 'overlay') mountOverlay(s, target);
    else mountBind(s, target);
  }
}

/** Unmounts `target`; lazily when busy; nothing when it is not mounted. */
export function unmount(target: string): void {
  const sys = native();
  try {
    sys.umount2(target, 0);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EINVAL' || code === 'ENOENT') return;
    if (code === 'EBUSY') sys.umount2(target, MNT.DETACH);
    else throw e;
  }
}

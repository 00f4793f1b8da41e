/**
 * Network namespaces of containers, as bind-mounted nsfs files:
 *
 *   EXEC_ROOT/netns/ID    the namespace of container ID (the OCI runtime joins it)
 *
 * Created by the native helper (unshare in a short-lived thread, then a
 * bind mount): about 0.3 ms, against 7-15 ms for spawning `ip netns add`.
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../sys/native.ts';
import { nativeNet } from './native.ts';
import { Netlink } from './netlink.ts';

const MNT_DETACH = 2;

export function netnsDir(execRoot: string): string {
  return join(execRoot, 'netns');
}

export function netnsPath(execRoot: string, id: string): string {
  return join(netnsDir(execRoot), id);
}

/** A fresh namespace at path with loopback up; returns a netlink socket inside it. */
export function createNetns(path: string): Netlink {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o711 });
  removeNetns(path);
  closeSync(openSync(path, 'wx', 0o444));
  const nl = new Netlink(nativeNet().netnsCreate(path));
  try {
    nl.setUp(1);
  } catch (e) {
    nl.close();
    removeNetns(path);
    throw e;
  }
  return nl;
}

/** Unmounts and removes a namespace file; the namespace goes with its last user. */
export function removeNetns(path: string): void {
  try {
    native().umount2(path, MNT_DETACH);
  } catch {}
  rmSync(path, { force: true });
}

/** Namespace files present (container IDs). */
export function listNetns(execRoot: string): string[] {
  try {
    return readdirSync(netnsDir(execRoot));
  } catch {
    return [];
  }
}

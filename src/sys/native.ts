/**
 * The native helper (native/berth_sys.c, built to build/berth_sys.node at
 * setup): mount(2), umount2(2), mknod(2), xattrs, flock(2), mkfifo(3),
 * malloc_trim(3), FS_IOC_SETFLAGS (chattr +T), and a blocking unix-socket request for the CLI.
 */
import { loadAddon } from '../lib/addon.ts';

export { projectRoot } from '../lib/addon.ts';

export interface NativeSys {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | undefined;
  llistxattr(path: string): string[];
  flock(fd: number, operation: number): boolean;
  mkfifo(path: string, mode: number): void;
  /** Returns the C heap's free pages to the kernel (glibc keeps them after zlib, SQLite, TLS work). */
  mallocTrim(): boolean;
  /** One request on a unix socket, blocking; the bytes the peer sent until it closed. */
  unixRequest(path: string, request: Buffer, timeoutMs: number): Buffer;
  /**
   * Marks a directory as the top of unrelated trees (chattr +T): ext4 then
   * places each directory made in it in a block group of its own choosing.
   * False where the file system has no such flag.
   */
  topDir(path: string): boolean;
}

export function native(): NativeSys {
  return loadAddon<NativeSys>('berth_sys', 'the native helper');
}

/** native/berth_files.c: new regular files written a batch per thread-pool job. */
export interface NativeFiles {
  /**
   * Creates each `paths[i]` (it must not exist) with the bytes `data[i]`,
   * then sets its owner, mode, xattrs (`[name, value, …]`) and mtime from
   * `meta` (uid, gid, mode, mtime per file), in order; rejects at the first
   * failure (Node-style error with `code`).
   */
  writeFiles(
    paths: string[],
    data: Buffer[][],
    meta: Float64Array,
    xattrs: Array<Array<string | Buffer>>,
  ): Promise<void>;
}

export function nativeFiles(): NativeFiles {
  return loadAddon<NativeFiles>('berth_files', 'the native file writer');
}

/** mount(2) flags used by Berth. */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  BIND: 0x1000,
  REC: 0x4000,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
} as const;

/** umount2(2) flags. */
export const MNT = { FORCE: 1, DETACH: 2 } as const;

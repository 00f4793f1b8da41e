/**
 * The native helper (native/berth_sys.c, built to build/berth_sys.node at
 * setup): mount(2), umount2(2), mknod(2), xattrs, flock(2), mkfifo(3),
 * malloc_trim(3).
 * Loaded lazily so that commands that never need it start fast.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

let loaded: NativeSys | undefined;

/** The project's root folder (where package.json is), from this module's location. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('berth: cannot find the project root (package.json)');
    dir = up;
  }
  return dir;
}

export function native(): NativeSys {
  if (!loaded) {
    const path = join(projectRoot(), 'build', 'berth_sys.node');
    if (!existsSync(path)) {
      throw new Error(
        `berth: the native helper ${path} is missing; run the setup (scripts/setup.sh) or 'npm run build'`,
      );
    }
    loaded = createRequire(import.meta.url)(path) as NativeSys;
  }
  return loaded;
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

/**
 * Berth's default seccomp profile. It blocks what Docker's default profile
 * blocks for an unprivileged container (facts: moby's profiles/seccomp
 * default.json), written as a deny list: every other syscall is allowed.
 *
 * Docker's profile is an allow list, so it also refuses syscalls added to
 * the kernel after the profile was written; this one does not. Each blocked
 * group names the capability that makes Docker allow it again: a container
 * given that capability (`--cap-add`) gets the syscalls back.
 *
 * Blocked calls fail with EPERM, except clone3, which fails with ENOSYS so
 * that libc falls back to clone(2) (whose namespace flags are filtered).
 */
import type { OciSeccomp, OciSeccompSyscall } from './oci-types.ts';

const EPERM = 1;
const ENOSYS = 38;

interface BlockedGroup {
  /** Capability that lifts the block; undefined = blocked for everyone. */
  cap?: string;
  names: string[];
}

export const BLOCKED_SYSCALLS: readonly BlockedGroup[] = [
  {
    names: [
      'add_key',
      'create_module',
      'get_kernel_syms',
      'io_uring_enter',
      'io_uring_register',
      'io_uring_setup',
      'keyctl',
      'nfsservctl',
      'query_module',
      'request_key',
      'sysfs',
      '_sysctl',
      'uselib',
      'userfaultfd',
      'ustat',
      'vm86',
      'vm86old',
    ],
  },
  {
    cap: 'CAP_SYS_ADMIN',
    names: [
      'bpf',
      'fanotify_init',
      'fsconfig',
      'fsmount',
      'fsopen',
      'fspick',
      'lookup_dcookie',
      'mount',
      'mount_setattr',
      'move_mount',
      'name_to_handle_at',
      'open_tree',
      'perf_event_open',
      'pivot_root',
      'quotactl',
      'quotactl_fd',
      'setdomainname',
      'sethostname',
      'setns',
      'swapoff',
      'swapon',
      'umount',
      'umount2',
      'unshare',
    ],
  },
  { cap: 'CAP_SYS_BOOT', names: ['reboot', 'kexec_load', 'kexec_file_load'] },
  { cap: 'CAP_SYS_CHROOT', names: ['chroot'] },
  { cap: 'CAP_SYS_MODULE', names: ['init_module', 'finit_module', 'delete_module'] },
  { cap: 'CAP_SYS_PACCT', names: ['acct'] },
  {
    cap: 'CAP_SYS_PTRACE',
    names: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev'],
  },
  { cap: 'CAP_SYS_RAWIO', names: ['iopl', 'ioperm'] },
  {
    cap: 'CAP_SYS_TIME',
    names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64'],
  },
  { cap: 'CAP_SYS_TTY_CONFIG', names: ['vhangup'] },
  { cap: 'CAP_SYS_NICE', names: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node', 'move_pages'] },
  { cap: 'CAP_SYSLOG', names: ['syslog'] },
];

/** clone(2) flags that create namespaces: refused without CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
];

export const SECCOMP_ARCHITECTURES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

/** The default profile for a container holding `caps` (names like CAP_SYS_ADMIN). */
export function defaultSeccompProfile(caps: readonly string[]): OciSeccomp {
  const have = new Set(caps);
  const blocked: string[] = [];
  for (const g of BLOCKED_SYSCALLS) if (!g.cap || !have.has(g.cap)) blocked.push(...g.names);
  const syscalls: OciSeccompSyscall[] = [{ names: blocked, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!have.has('CAP_SYS_ADMIN')) {
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
    for (const flag of CLONE_NAMESPACE_FLAGS) {
      syscalls.push({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
      });
    }
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: SECCOMP_ARCHITECTURES, syscalls };
}

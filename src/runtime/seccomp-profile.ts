/**
 * Custom seccomp profiles (`--security-opt seccomp=FILE`): accepts the OCI
 * form (`architectures`, `syscalls[].names`) and Docker's form (`archMap`,
 * `syscalls[].name`, `includes`/`excludes` by capability or architecture),
 * and turns both into the OCI `linux.seccomp` object for this machine
 * (x86_64).
 */
import { InvalidArgumentError } from '../lib/errors.ts';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './oci-types.ts';

interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface DockerSyscall {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  includes?: Filter;
  excludes?: Filter;
}

interface DockerProfile {
  defaultAction?: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[] | null;
  flags?: string[];
  syscalls?: DockerSyscall[] | null;
}

const HOST_ARCHES = new Set(['amd64', 'x86_64', 'SCMP_ARCH_X86_64']);

function applies(s: DockerSyscall, caps: Set<string>): boolean {
  const inc = s.includes ?? {};
  const exc = s.excludes ?? {};
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc.arches?.length && !inc.arches.some((a) => HOST_ARCHES.has(a))) return false;
  if (exc.caps?.length && exc.caps.some((c) => caps.has(c))) return false;
  if (exc.arches?.length && exc.arches.some((a) => HOST_ARCHES.has(a))) return false;
  return true;
}

/** Parses a profile file's text for a container holding `caps`. */
export function parseSeccompProfile(text: string, caps: readonly string[]): OciSeccomp {
  let p: DockerProfile;
  try {
    p = JSON.parse(text) as DockerProfile;
  } catch (e) {
    throw new InvalidArgumentError(`seccomp profile is not valid JSON: ${(e as Error).message}`);
  }
  if (!p || typeof p !== 'object' || typeof p.defaultAction !== 'string') {
    throw new InvalidArgumentError('seccomp profile has no defaultAction');
  }
  const capSet = new Set(caps);
  let architectures = p.architectures;
  if (!architectures?.length && p.archMap) {
    const host = p.archMap.find((a) => a.architecture === 'SCMP_ARCH_X86_64');
    if (host) architectures = [host.architecture, ...(host.subArchitectures ?? [])];
  }
  const syscalls: OciSeccompSyscall[] = [];
  for (const s of p.syscalls ?? []) {
    if (!applies(s, capSet)) continue;
    const names = s.names?.length ? s.names : s.name ? [s.name] : [];
    if (!names.length) throw new InvalidArgumentError('seccomp profile has a syscall rule without names');
    const rule: OciSeccompSyscall = { names, action: s.action };
    if (s.errnoRet !== undefined) rule.errnoRet = s.errnoRet;
    if (s.args?.length) rule.args = s.args;
    syscalls.push(rule);
  }
  const out: OciSeccomp = { defaultAction: p.defaultAction, syscalls };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (architectures?.length) out.architectures = architectures;
  if (p.flags?.length) out.flags = p.flags;
  return out;
}

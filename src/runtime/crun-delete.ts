/**
 * `crun delete` of a container whose processes are all gone, without the
 * spawn: what crun 1.8 does then (checked with strace) is remove the
 * container's cgroup in every hierarchy and its state directory
 * (`CRUN_ROOT/ID`: status, config.json, seccomp.bpf). Anything else — a
 * live init, a process left in the cgroup, a state file not as expected —
 * answers false, and the caller runs the real `crun delete --force`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from '../lib/errors.ts';
import { type CgroupLayout, cgroupDirs } from './cgroups.ts';

interface CrunStatus {
  pid?: number;
  'cgroup-path'?: string;
}

/** True when the container is gone (or was never there); false when only the runtime itself can delete it. */
export async function deleteStoppedCrun(root: string, id: string, layout: CgroupLayout): Promise<boolean> {
  const dir = join(root, id);
  let status: CrunStatus;
  try {
    status = JSON.parse(readFileSync(join(dir, 'status'), 'utf8')) as CrunStatus;
  } catch (e) {
    return isNotFound(e) && !existsSync(dir);
  }
  if (typeof status.pid !== 'number' || alive(status.pid)) return false;
  const cgroup = status['cgroup-path'];
  if (typeof cgroup !== 'string' || !cgroup.startsWith('/')) return false;
  const dirs = cgroupDirs(cgroup, layout);
  for (const d of dirs) if (hasProcesses(d)) return false;
  // rmdir of a cgroup can take milliseconds (memory cgroup offlining): off the event loop.
  const removed = await Promise.all(
    dirs.map((d) =>
      rmdir(d).then(
        () => true,
        (e: unknown) => isNotFound(e),
      ),
    ),
  );
  if (removed.includes(false)) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function hasProcesses(cgroupDir: string): boolean {
  try {
    return readFileSync(join(cgroupDir, 'cgroup.procs'), 'utf8').trim() !== '';
  } catch (e) {
    return !isNotFound(e);
  }
}

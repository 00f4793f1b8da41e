/** Facts about the host that /info and /version report, read once. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface HostFacts {
  kernel: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  hostname: string;
  cgroupVersion: '1' | '2';
}

let cached: HostFacts | undefined;

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^(\w+)=(.*)$/.exec(line);
      if (m) out[m[1]] = m[2].replace(/^"|"$/g, '');
    }
    return out;
  } catch {
    return {};
  }
}

export function hostFacts(): HostFacts {
  if (!cached) {
    const rel = osRelease();
    cached = {
      kernel: os.release(),
      operatingSystem: rel.PRETTY_NAME ?? 'Linux',
      osVersion: rel.VERSION_ID ?? '',
      architecture: os.machine(),
      ncpu: os.availableParallelism(),
      memTotal: os.totalmem(),
      hostname: os.hostname(),
      cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    };
  }
  return cached;
}

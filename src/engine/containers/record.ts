/** What Berth keeps about a container: Docker's inspect fields plus its own. */
import type { ContainerConfig, ContainerState, HostConfig, MountPoint } from '../../wire/containers.ts';

export interface ContainerRecord {
  Id: string;
  /** With the leading slash, as Docker keeps it. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** Image ID (config digest). */
  Image: string;
  State: ContainerState;
  RestartCount: number;
  Driver: 'overlay2';
  Platform: 'linux';
  Mounts: MountPoint[];
  ExecIDs: string[];
  /** Berth's own: the runtime, the writable snapshot, files. */
  runtime: 'crun' | 'runc';
  snapshotKey: string;
  /** The user's stop (`docker stop`): honoured by unless-stopped across daemon restarts. */
  manuallyStopped: boolean;
  /** Networks the container joins, with their settings (filled by the network layer). */
  networks: Record<string, Record<string, unknown>>;
}

export function initialState(): ContainerState {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: '0001-01-01T00:00:00Z',
    FinishedAt: '0001-01-01T00:00:00Z',
  };
}

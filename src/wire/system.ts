/** Engine API wire types: system endpoints (/version, /info, /system/df, /events). */
export interface VersionResponse {
  Platform: { Name: string };
  Components: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
  Experimental?: boolean;
}

export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  /** Deprecated fields the old clients read. */
  status?: string;
  id?: string;
  from?: string;
}

export type InfoResponse = Record<string, unknown>;
export type DiskUsageResponse = Record<string, unknown>;

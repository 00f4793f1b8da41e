/** What `docker info` and `docker version` show, from real figures. */
import { statfsSync } from 'node:fs';
import type { InfoResponse, VersionResponse } from '../../wire/system.ts';
import { hostFacts } from './host.ts';

export interface InfoInputs {
  id: string;
  dataRoot: string;
  execRoot: string;
  version: string;
  apiVersion: string;
  minApiVersion: string;
  images: number;
  containers: { running: number; paused: number; stopped: number };
  defaultRuntime: string;
  runtimes: Record<string, { path: string }>;
  warnings: string[];
  cgroupParent: string;
  registryMirrors: string[];
  insecureRegistries: string[];
}

export function buildInfo(i: InfoInputs): InfoResponse {
  const h = hostFacts();
  let backing = '';
  try {
    backing = String(statfsSync(i.dataRoot).type);
  } catch {}
  const total = i.containers.running + i.containers.paused + i.containers.stopped;
  return {
    ID: i.id,
    Containers: total,
    ContainersRunning: i.containers.running,
    ContainersPaused: i.containers.paused,
    ContainersStopped: i.containers.stopped,
    Images: i.images,
    Driver: 'overlay2',
    DriverStatus: [
      ['Backing Filesystem', backing === '61267' ? 'extfs' : backing],
      ['Supports d_type', 'true'],
      ['Using metacopy', 'false'],
      ['Native Overlay Diff', 'true'],
    ],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: false,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'k8s-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: h.cgroupVersion,
    NEventsListener: 0,
    KernelVersion: h.kernel,
    OperatingSystem: h.operatingSystem,
    OSVersion: h.osVersion,
    OSType: 'linux',
    Architecture: h.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      AllowNondistributableArtifactsHostnames: [],
      InsecureRegistryCIDRs: ['127.0.0.0/8', ...i.insecureRegistries.filter((r) => r.includes('/'))],
      IndexConfigs: {},
      Mirrors: i.registryMirrors,
    },
    NCPU: h.ncpu,
    MemTotal: h.memTotal,
    GenericResources: null,
    DockerRootDir: i.dataRoot,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: h.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: i.version,
    Runtimes: i.runtimes,
    DefaultRuntime: i.defaultRuntime,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'catatonit',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=builtin'],
    CDISpecDirs: [],
    Warnings: i.warnings,
  };
}

export function buildVersion(version: string, apiVersion: string, minApiVersion: string): VersionResponse {
  const h = hostFacts();
  const arch = { x86_64: 'amd64', aarch64: 'arm64' }[h.architecture] ?? h.architecture;
  return {
    Platform: { Name: 'Berth Engine' },
    Components: [
      {
        Name: 'Engine',
        Version: version,
        Details: {
          ApiVersion: apiVersion,
          MinAPIVersion: minApiVersion,
          Os: 'linux',
          Arch: arch,
          KernelVersion: h.kernel,
          NodeVersion: process.version,
        },
      },
    ],
    Version: version,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: arch,
    KernelVersion: h.kernel,
    BuildTime: '',
  };
}

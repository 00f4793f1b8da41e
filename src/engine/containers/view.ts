/** Containers in the Engine API's shapes: inspect and the `docker ps` summary. */
import { portMap } from '../../network/ports.ts';
import type { ContainerSummary } from '../../wire/containers.ts';
import { type Filters, matchLabels } from '../filters.ts';
import { sandboxOf } from '../networks/record.ts';
import type { ContainerPaths } from './paths.ts';
import type { ContainerRecord } from './record.ts';
import { statusText } from './state.ts';

function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

export function networkSettings(rec: ContainerRecord): Record<string, unknown> {
  const nets = rec.networks ?? {};
  const first = Object.values(nets)[0] as Record<string, string> | undefined;
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portMap(sandboxOf(rec)?.ports ?? [], rec.Config.ExposedPorts),
    SandboxKey: sandboxOf(rec)?.netns ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: first?.EndpointID ?? '',
    Gateway: first?.Gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: first?.IPAddress ?? '',
    IPPrefixLen: first?.IPPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: first?.MacAddress ?? '',
    Networks: Object.keys(nets).length
      ? nets
      : { none: { NetworkID: 'none', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' } },
  };
}

export function inspectView(rec: ContainerRecord, p: ContainerPaths): Record<string, unknown> {
  const { runtime, snapshotKey, manuallyStopped, networks, netSandbox, ...docker } = rec as ContainerRecord & {
    netSandbox?: unknown;
  };
  void netSandbox;
  void runtime;
  void snapshotKey;
  void manuallyStopped;
  void networks;
  return {
    ...docker,
    ResolvConfPath: p.resolvConf,
    HostnamePath: p.hostname,
    HostsPath: p.hosts,
    LogPath: p.log,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    GraphDriver: { Name: 'overlay2', Data: null },
    NetworkSettings: networkSettings(rec),
  };
}

export function summaryView(rec: ContainerRecord, imageName: string): ContainerSummary {
  // As Docker's ps shows it: arguments with blanks in single quotes.
  const cmd = [rec.Path, ...rec.Args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return {
    Id: rec.Id,
    Names: [rec.Name],
    Image: imageName,
    ImageID: rec.Image,
    Command: cmd,
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: (sandboxOf(rec)?.ports ?? []).map((p) => ({
      IP: p.hostIp,
      PrivatePort: p.port,
      PublicPort: p.hostPort,
      Type: p.proto,
    })),
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec.State, humanDuration),
    HostConfig: { NetworkMode: rec.HostConfig.NetworkMode ?? 'none' },
    NetworkSettings: { Networks: (networkSettings(rec).Networks as Record<string, unknown>) ?? {} },
    Mounts: rec.Mounts,
  };
}

/** `docker ps` filters. `resolveImage` gives the image ID a name refers to. */
export function matchesFilters(
  rec: ContainerRecord,
  f: Filters,
  resolveImage: (ref: string) => string | undefined,
): boolean {
  const any = (k: string, pred: (v: string) => boolean) => !f.has(k) || (f.get(k) as string[]).some(pred);
  return (
    any('status', (v) => rec.State.Status === v) &&
    any('name', (v) => new RegExp(v).test(rec.Name.slice(1))) &&
    any('id', (v) => rec.Id.startsWith(v)) &&
    any('exited', (v) => !rec.State.Running && rec.State.Status === 'exited' && rec.State.ExitCode === Number(v)) &&
    any('health', (v) => (rec.State.Health?.Status ?? 'none') === v) &&
    any('ancestor', (v) => rec.Config.Image === v || rec.Image === resolveImage(v)) &&
    any('volume', (v) => rec.Mounts.some((m) => m.Name === v || m.Destination === v)) &&
    any('network', (v) => v in (rec.networks ?? {}) || rec.HostConfig.NetworkMode === v) &&
    any('isolation', () => true) &&
    matchLabels(f, rec.Config.Labels)
  );
}

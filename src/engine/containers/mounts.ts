/**
 * A container's mounts: `-v`/`Binds`, `--mount`/`Mounts` and the image's
 * VOLUMEs, resolved at create into Docker's MountPoint list (named volumes
 * created on first use, anonymous ones for uncovered image VOLUMEs), and at
 * start into runtime mounts (volumes seeded from the image when empty).
 */
import { existsSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgumentError } from '../../lib/errors.ts';
import type { MountInput, Propagation } from '../../runtime/spec-input.ts';
import type { HostConfig, MountPoint } from '../../wire/containers.ts';
import type { VolumeService } from '../volumes/volume-service.ts';

export interface ContainerMount extends MountPoint {
  /** Do not seed the volume from the image. */
  NoCopy?: boolean;
  TmpfsSize?: number;
  TmpfsMode?: number;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function bindOrVolume(spec: string, volumes: VolumeService): ContainerMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  const [src, dst, mode = ''] = parts;
  if (!posix.isAbsolute(dst))
    throw new InvalidArgumentError(
      `invalid volume specification: '${spec}': invalid mount config: mount path must be absolute`,
    );
  const flags = mode.split(',').filter(Boolean);
  for (const f of flags) {
    if (!['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(f))
      throw new InvalidArgumentError(`invalid mode: ${f}`);
  }
  const rw = !flags.includes('ro');
  const propagation = flags.find((f) => PROPAGATIONS.includes(f)) ?? 'rprivate';
  if (posix.isAbsolute(src)) {
    if (!existsSync(src))
      throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${src}`);
    return {
      Type: 'bind',
      Source: src,
      Destination: posix.normalize(dst),
      Mode: mode,
      RW: rw,
      Propagation: propagation,
    };
  }
  const v = volumes.create({ Name: src });
  return {
    Type: 'volume',
    Name: v.Name,
    Source: v.Mountpoint,
    Destination: posix.normalize(dst),
    Driver: 'local',
    Mode: mode || 'z',
    RW: rw,
    Propagation: '',
    NoCopy: flags.includes('nocopy'),
  };
}

export function resolveMounts(
  hc: HostConfig,
  imageVolumes: Record<string, object> | null | undefined,
  volumes: VolumeService,
): ContainerMount[] {
  const out: ContainerMount[] = [];
  const taken = new Set<string>();
  const add = (m: ContainerMount) => {
    if (taken.has(m.Destination)) throw new InvalidArgumentError(`Duplicate mount point: ${m.Destination}`);
    taken.add(m.Destination);
    out.push(m);
  };
  for (const b of hc.Binds ?? []) add(bindOrVolume(b, volumes));
  for (const m of hc.Mounts ?? []) {
    const dst = posix.normalize(m.Target ?? '');
    if (!posix.isAbsolute(dst))
      throw new InvalidArgumentError(`invalid mount config: mount path must be absolute: ${m.Target}`);
    if (m.Type === 'bind') {
      if (!m.Source || !existsSync(m.Source))
        throw new InvalidArgumentError(
          `invalid mount config for type "bind": bind source path does not exist: ${m.Source}`,
        );
      add({
        Type: 'bind',
        Source: m.Source,
        Destination: dst,
        Mode: '',
        RW: !m.ReadOnly,
        Propagation: m.BindOptions?.Propagation || 'rprivate',
      });
    } else if (m.Type === 'volume') {
      const v = volumes.create(
        {
          Name: m.Source || undefined,
          Labels: m.VolumeOptions?.Labels,
          DriverOpts: m.VolumeOptions?.DriverConfig?.Options,
        },
        !m.Source,
      );
      add({
        Type: 'volume',
        Name: v.Name,
        Source: v.Mountpoint,
        Destination: dst,
        Driver: 'local',
        Mode: 'z',
        RW: !m.ReadOnly,
        Propagation: '',
        NoCopy: !!m.VolumeOptions?.NoCopy,
      });
    } else if (m.Type === 'tmpfs') {
      add({
        Type: 'tmpfs',
        Source: '',
        Destination: dst,
        Mode: '',
        RW: !m.ReadOnly,
        Propagation: '',
        TmpfsSize: m.TmpfsOptions?.SizeBytes,
        TmpfsMode: m.TmpfsOptions?.Mode,
      });
    } else {
      throw new InvalidArgumentError(`mount type "${m.Type}" is not supported`);
    }
  }
  for (const t of Object.keys(hc.Tmpfs ?? {})) taken.add(posix.normalize(t));
  for (const dst of Object.keys(imageVolumes ?? {})) {
    const d = posix.normalize(dst);
    if (taken.has(d)) continue;
    const v = volumes.create({}, true);
    add({
      Type: 'volume',
      Name: v.Name,
      Source: v.Mountpoint,
      Destination: d,
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    });
  }
  return out;
}

/** Runtime mounts for a start; volumes get their device mounted and are seeded from the image when empty. */
export async function runtimeMounts(
  mounts: ContainerMount[],
  rootfs: string,
  volumes: VolumeService,
): Promise<MountInput[]> {
  const out: MountInput[] = [];
  for (const m of mounts) {
    if (m.Type === 'tmpfs') {
      out.push({ type: 'tmpfs', target: m.Destination, size: m.TmpfsSize, mode: m.TmpfsMode, readonly: !m.RW });
      continue;
    }
    if (m.Type === 'volume' && m.Name) {
      const v = volumes.get(m.Name);
      volumes.prepare(v);
      const src = join(rootfs, m.Destination);
      if (!m.NoCopy && volumes.isEmpty(v) && existsSync(src) && statSync(src).isDirectory()) await volumes.seed(v, src);
    }
    out.push({
      type: 'bind',
      source: m.Source,
      target: m.Destination,
      readonly: !m.RW,
      propagation: (m.Propagation || 'rprivate') as Propagation,
    });
  }
  return out;
}

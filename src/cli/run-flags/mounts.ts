/** `--mount` specs (bind, volume, tmpfs) into the API's Mount objects. */
import type { MountSpec } from '../../wire/containers.ts';
import { parseBytes } from './units.ts';

const truthy = (v: string | undefined) => v === undefined || v === '' || /^(1|true)$/i.test(v);

/** `--mount type=bind,source=…,target=…,readonly,…` */
export function parseMount(s: string): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  for (const field of s.split(',')) {
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? undefined : field.slice(i + 1);
    switch (k) {
      case 'type':
        if (v !== 'bind' && v !== 'volume' && v !== 'tmpfs') throw new Error(`invalid mount type: '${v}'`);
        m.Type = v;
        break;
      case 'source':
      case 'src':
        m.Source = v;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        m.Target = v ?? '';
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = truthy(v);
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: v };
        break;
      case 'bind-nonrecursive':
        m.BindOptions = { ...m.BindOptions, NonRecursive: truthy(v) };
        break;
      case 'bind-create-mountpoint':
        m.BindOptions = { ...m.BindOptions, CreateMountpoint: truthy(v) };
        break;
      case 'volume-nocopy':
        m.VolumeOptions = { ...m.VolumeOptions, NoCopy: truthy(v) };
        break;
      case 'volume-driver':
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...m.VolumeOptions?.DriverConfig, Name: v } };
        break;
      case 'volume-label': {
        const [lk, lv = ''] = (v ?? '').split(/=(.*)/s);
        m.VolumeOptions = { ...m.VolumeOptions, Labels: { ...m.VolumeOptions?.Labels, [lk as string]: lv } };
        break;
      }
      case 'volume-opt': {
        const [ok, ov = ''] = (v ?? '').split(/=(.*)/s);
        const dc = m.VolumeOptions?.DriverConfig ?? {};
        m.VolumeOptions = {
          ...m.VolumeOptions,
          DriverConfig: { ...dc, Options: { ...dc.Options, [ok as string]: ov } },
        };
        break;
      }
      case 'tmpfs-size':
        m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: parseBytes(v ?? '') };
        break;
      case 'tmpfs-mode':
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: Number.parseInt(v ?? '', 8) };
        break;
      default:
        throw new Error(`unexpected key '${k}' in '${s}'`);
    }
  }
  if (!m.Target) throw new Error(`target is required in --mount '${s}'`);
  return m;
}

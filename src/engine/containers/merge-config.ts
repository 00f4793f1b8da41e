/** How a create request and the image's config combine, by Docker's rules. */

import { InvalidArgumentError } from '../../lib/errors.ts';
import type { ImageConfig } from '../../oci/image.ts';
import type { ContainerConfig, ContainerCreateRequest } from '../../wire/containers.ts';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function mergeEnv(base: string[], over: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) {
    const i = e.indexOf('=');
    out.set(i < 0 ? e : e.slice(0, i), e);
  }
  return [...out.values()];
}

export function mergeConfig(
  req: ContainerCreateRequest,
  img: ImageConfig,
  imageRef: string,
  id: string,
): ContainerConfig {
  const ic = img.config ?? {};
  const entrypointGiven = req.Entrypoint !== undefined && req.Entrypoint !== null;
  const entrypoint = entrypointGiven
    ? (req.Entrypoint as string[]).filter((x, _i, a) => !(a.length === 1 && x === ''))
    : (ic.Entrypoint ?? null);
  let cmd: string[] | null;
  if (req.Cmd !== undefined && req.Cmd !== null && (req.Cmd as string[]).length > 0) cmd = req.Cmd as string[];
  else if (entrypointGiven) cmd = null;
  else cmd = ic.Cmd ?? null;
  let env = mergeEnv(ic.Env ?? [], req.Env ?? []);
  if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH, ...env];
  const hc = req.Healthcheck;
  const healthcheck = hc?.Test?.length
    ? { ...ic.Healthcheck, ...hc }
    : ic.Healthcheck
      ? { ...ic.Healthcheck, ...Object.fromEntries(Object.entries(hc ?? {}).filter(([k]) => k !== 'Test')) }
      : undefined;
  return {
    Hostname: req.Hostname || id.slice(0, 12),
    Domainname: req.Domainname ?? '',
    User: req.User || ic.User || '',
    AttachStdin: !!req.AttachStdin,
    AttachStdout: !!req.AttachStdout,
    AttachStderr: !!req.AttachStderr,
    ExposedPorts: { ...ic.ExposedPorts, ...req.ExposedPorts },
    Tty: !!req.Tty,
    OpenStdin: !!req.OpenStdin,
    StdinOnce: !!req.StdinOnce,
    Env: env,
    Cmd: cmd,
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    Image: imageRef,
    Volumes: { ...ic.Volumes, ...req.Volumes },
    WorkingDir: req.WorkingDir || ic.WorkingDir || '',
    Entrypoint: entrypoint?.length ? entrypoint : null,
    OnBuild: null,
    Labels: { ...ic.Labels, ...req.Labels },
    ...(req.StopSignal || ic.StopSignal ? { StopSignal: req.StopSignal || ic.StopSignal } : {}),
    ...(req.StopTimeout !== undefined && req.StopTimeout !== null ? { StopTimeout: req.StopTimeout } : {}),
    ...(ic.Shell ? { Shell: ic.Shell } : {}),
  };
}

/** The process to run: entrypoint + cmd. */
export function commandOf(c: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (argv.length === 0) throw new InvalidArgumentError('no command specified');
  return { path: argv[0], args: argv.slice(1) };
}

/**
 * The images a project runs: built from a service's `build` section
 * (`POST /build` with the filtered context), pulled (`POST /images/create`),
 * pushed, following `pull_policy` and `--build`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { contextTar, type ExtraFile } from '../build/context/index.ts';
import type { EngineClient } from '../client/client.ts';
import { buildImage, imageExists, pushImage } from '../client/compose-calls.ts';
import { pullImage } from '../client/containers.ts';
import { ComposeError } from './errors.ts';
import { defaultImageName } from './labels.ts';
import type { Reporter } from './state.ts';
import type { Project, ServiceConfig } from './types.ts';

export function imageOf(p: Project, name: string): string {
  const s = p.services[name] ?? p.disabled[name];
  return s.image ?? defaultImageName(p.name, name);
}

export async function buildService(
  api: EngineClient,
  p: Project,
  name: string,
  r: Reporter,
  o: { noCache?: boolean; pull?: boolean; args?: Record<string, string> } = {},
): Promise<void> {
  const s = p.services[name] ?? p.disabled[name];
  const b = s.build;
  if (!b) throw new ComposeError(`service "${name}" has no build section`);
  const extraFiles: ExtraFile[] = [];
  let dockerfile = b.dockerfile ?? 'Dockerfile';
  if (b.dockerfile_inline !== undefined) {
    dockerfile = '.berth-compose.Dockerfile';
    extraFiles.push({ name: dockerfile, content: b.dockerfile_inline });
  } else if (isAbsolute(dockerfile) || relative(b.context, dockerfile).startsWith('..')) {
    // A Dockerfile outside the context travels inside the tar under its own name.
    const abs = isAbsolute(dockerfile) ? dockerfile : `${b.context}/${dockerfile}`;
    if (relative(b.context, abs).startsWith('..')) {
      dockerfile = '.berth-compose.Dockerfile';
      extraFiles.push({ name: dockerfile, content: readFileSync(abs) });
    } else dockerfile = relative(b.context, abs);
  }
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(b.args ?? {})) {
    const val = v ?? p.environment[k];
    if (val !== undefined) args[k] = val;
  }
  Object.assign(args, o.args);
  const image = imageOf(p, name);
  r.event('Image', image, 'Building');
  const tar = contextTar(b.context, { dockerfile, extraFiles });
  let id = '';
  for await (const m of buildImage(api, tar, {
    tags: [image, ...(b.tags ?? [])],
    dockerfile,
    buildArgs: args,
    target: b.target,
    labels: b.labels,
    pull: o.pull ?? b.pull,
    noCache: o.noCache ?? b.no_cache,
    network: b.network,
    extraHosts: b.extra_hosts,
    cacheFrom: b.cache_from,
  })) {
    if (m.stream) r.info(m.stream.replace(/\n$/, ''));
    const aux = m.aux as { ID?: string } | undefined;
    if (aux?.ID) id = aux.ID;
  }
  void id;
  r.event('Image', image, 'Built');
}

export async function pullService(api: EngineClient, p: Project, name: string, r: Reporter): Promise<void> {
  const image = imageOf(p, name);
  const s: ServiceConfig = p.services[name] ?? p.disabled[name];
  r.event('Image', image, 'Pulling');
  for await (const _m of pullImage(api, image, s.platform)) {
    // progress is not shown line by line
  }
  r.event('Image', image, 'Pulled');
}

export async function pushService(api: EngineClient, p: Project, name: string, r: Reporter): Promise<void> {
  const image = imageOf(p, name);
  const at = image.lastIndexOf(':');
  const hasTag = at > image.lastIndexOf('/');
  r.event('Image', image, 'Pushing');
  for await (const _m of pushImage(api, hasTag ? image.slice(0, at) : image, hasTag ? image.slice(at + 1) : 'latest')) {
    // progress is not shown line by line
  }
  r.event('Image', image, 'Pushed');
}

/** Makes sure every service given has its image: build, pull or refuse, per pull_policy and --build. */
export async function ensureImages(
  api: EngineClient,
  p: Project,
  services: string[],
  r: Reporter,
  o: { build?: boolean; noBuild?: boolean; pull?: 'always' | 'missing' | 'never' } = {},
): Promise<void> {
  const built = new Set<string>();
  for (const n of services) {
    const s = p.services[n] ?? p.disabled[n];
    const image = imageOf(p, n);
    const policy = o.pull ?? s.pull_policy ?? 'missing';
    if (s.build && !o.noBuild && (o.build || policy === 'build')) {
      if (!built.has(image)) await buildService(api, p, n, r);
      built.add(image);
      continue;
    }
    if (policy === 'always') {
      await pullService(api, p, n, r);
      continue;
    }
    if (await imageExists(api, image)) continue;
    if (s.build && !o.noBuild) {
      if (!built.has(image)) await buildService(api, p, n, r);
      built.add(image);
    } else if (policy === 'never')
      throw new ComposeError(`image ${image} of service "${n}" is missing (pull_policy: never)`);
    else await pullService(api, p, n, r);
  }
}

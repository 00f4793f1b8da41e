/**
 * POST /build (the classic builder's endpoint, as the docker CLI sends it
 * with DOCKER_BUILDKIT=0), POST /build/prune, and the build cache in
 * `system df`.
 *
 * Berth extension: build secrets (`RUN --mount=type=secret`) travel in the
 * request header `X-Berth-Build-Secrets`: base64 of a JSON object
 * `{"<id>": "<base64 of the contents>", …}` (berth build --secret sends it;
 * the docker CLI has no such flag). It is subject to the server's header
 * size limit (16 KiB in all), and the contents never enter the cache key,
 * the image or the log.
 */
import { readFile } from 'node:fs/promises';
import { Builder, StepFailed } from '../../build/builder/index.ts';
import { resolveInRoot } from '../../engine/containers/rootfs-path.ts';
import type { Engine } from '../../engine/engine.ts';
import { errorMessage, InvalidArgumentError } from '../../lib/errors.ts';
import { JsonStream, qBool, sendJson } from '../http.ts';
import type { Ctx, Router } from '../router.ts';

export const SECRETS_HEADER = 'x-berth-build-secrets';

function jsonParam<T>(q: URLSearchParams, name: string, dflt: T): T {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw new InvalidArgumentError(`invalid JSON in the ${name} parameter`);
  }
}

function secretsOf(header: string | string[] | undefined): Record<string, Buffer> {
  if (!header || Array.isArray(header)) return {};
  try {
    const obj = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, string>;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  } catch {
    throw new InvalidArgumentError(`invalid ${SECRETS_HEADER} header: expected base64 of a JSON object`);
  }
}

export function buildRoutes(r: Router, engine: Engine): void {
  const builder = new Builder({
    db: engine.db,
    content: engine.content,
    snapshots: engine.snapshots,
    unpacker: engine.unpacker,
    images: engine.images,
    dataRoot: engine.opts.dataRoot,
    cgroupParent: engine.opts.cgroupParent,
    runtime: () => (engine.runtimeInfo.defaultRuntime === 'runc' ? 'runc' : 'crun'),
    log: engine.opts.log,
  });
  engine.gcRoots.push(async () => ({ ...(await builder.gcRoots()), busy: builder.busy }));
  engine.buildCacheUsage = () => builder.usage();
  r.post('/build', (ctx) => build(engine, builder, ctx));
  r.post('/build/prune', async ({ res, query }) => {
    const keep = Number(query.get('keep-storage') ?? query.get('reserved-space') ?? 0) || 0;
    const out = await builder.prune({ keepStorage: keep, all: qBool(query, 'all') });
    await engine.gc();
    sendJson(res, 200, { CachesDeleted: out.ids, SpaceReclaimed: out.reclaimed });
  });
}

async function build(engine: Engine, builder: Builder, { req, res, query }: Ctx): Promise<void> {
  const log = engine.opts.log;
  if (query.get('version') === '2')
    throw new InvalidArgumentError(
      'BuildKit sessions are not supported by Berth: use DOCKER_BUILDKIT=0 or berth build',
    );
  if (query.get('remote'))
    throw new InvalidArgumentError('remote build contexts (git, URL) are not supported by Berth');
  const secrets = secretsOf(req.headers[SECRETS_HEADER]);
  const started = performance.now();
  const ctx = await builder.receiveContext(req);
  log.debug('build context received', { bytes: ctx.bytes, ms: Math.round(performance.now() - started) });
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const name = query.get('dockerfile') || 'Dockerfile';
    let text: string;
    try {
      text = await readFile(resolveInRoot(ctx.dir, name), 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot locate specified Dockerfile: ${name} (not in the build context, or excluded by .dockerignore): ${errorMessage(e)}`,
      );
    }
    const network = query.get('networkmode') === 'host' ? 'host' : 'none';
    const out = new JsonStream(res);
    const request = {
      contextDir: ctx.dir,
      dockerfileName: name.replace(/^\.berth-dockerfile-[0-9a-f]+$|^\.dockerfile\.[0-9a-f]+$/, 'Dockerfile'),
      dockerfileText: text,
      tags: query.getAll('t').filter(Boolean),
      buildArgs: stringRecord(jsonParam<Record<string, string | null>>(query, 'buildargs', {})),
      labels: stringRecord(jsonParam<Record<string, string>>(query, 'labels', {})),
      target: query.get('target') || undefined,
      noCache: qBool(query, 'nocache'),
      cacheFrom: jsonParam<string[]>(query, 'cachefrom', []),
      network: network as 'host' | 'none',
      secrets,
      platform: query.get('platform') || undefined,
      quiet: qBool(query, 'q'),
    };
    // Dockerfile errors (parse, stages, target) come back as an HTTP error before any step
    const prepared = builder.prepare(request);
    out.begin();
    try {
      await builder.run(
        prepared,
        { stream: (s) => out.write({ stream: s }), aux: (a) => out.write({ aux: a }) },
        abort.signal,
      );
    } catch (e) {
      const message = errorMessage(e);
      if (e instanceof StepFailed) out.write({ errorDetail: { code: e.code, message }, error: message });
      else out.error(message);
      log.debug('build failed', { error: message });
    }
    out.end();
  } finally {
    await ctx.remove();
  }
}

function stringRecord(o: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

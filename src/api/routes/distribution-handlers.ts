/**
 * The distribution handlers: pull (`POST /images/create?fromImage=`), push, and
 * `POST /auth` (docker login). Loaded on first use (distribution.ts): the
 * registry client brings HTTP, TLS and undici, which an idle daemon does not need.
 */
import { join } from 'node:path';
import {
  type AuthConfig,
  credentialsOf,
  decodeAuthHeader,
  loginDomain,
  RegistryClient,
  RegistryHosts,
} from '../../distribution/index.ts';
import type { Engine } from '../../engine/engine.ts';
import { type DistributionContext, pullImage } from '../../engine/images/pull.ts';
import { pushImage } from '../../engine/images/push.ts';
import {
  errorMessage,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  UnauthorizedError,
} from '../../lib/errors.ts';
import type { ProgressMessage } from '../../wire/images.ts';
import { JsonStream, readJson, sendJson } from '../http.ts';
import type { Ctx } from '../router.ts';

const contexts = new WeakMap<Engine, DistributionContext>();

export function distributionContext(engine: Engine): DistributionContext {
  let c = contexts.get(engine);
  if (!c) {
    const reg = engine.opts.registry ?? {};
    c = {
      content: engine.content,
      snapshots: engine.snapshots,
      images: engine.images,
      events: engine.events,
      hosts: new RegistryHosts(reg),
      maxConcurrentDownloads: reg.maxConcurrentDownloads ?? 3,
      maxConcurrentUploads: reg.maxConcurrentUploads ?? 5,
      stateDir: join(engine.opts.dataRoot, 'distribution'),
      log: engine.opts.log,
    };
    contexts.set(engine, c);
  }
  return c;
}

/**
 * Runs `work` with a progress stream. An error before the first message is
 * thrown (the client gets an HTTP status); afterwards it is an errorDetail line.
 */
async function streamed(ctx: Ctx, work: (progress: (m: ProgressMessage) => void) => Promise<void>): Promise<void> {
  const out = new JsonStream(ctx.res);
  let started = false;
  try {
    await work((m) => {
      started = true;
      if (!out.closed) out.write(m);
    });
  } catch (e) {
    if (!started) throw e;
    out.error(errorMessage(e));
  }
  out.end();
}

function authOf(ctx: Ctx): AuthConfig | undefined {
  return decodeAuthHeader(ctx.req.headers['x-registry-auth']);
}

/** `POST /images/create?fromImage=…&tag=…&platform=…` */
export async function pullHandler(engine: Engine, ctx: Ctx): Promise<void> {
  const from = ctx.query.get('fromImage');
  if (!from) throw new InvalidArgumentError('fromImage is required');
  const tag = ctx.query.get('tag');
  let ref = from;
  if (tag && !from.includes('@')) ref = /^sha\d+:/.test(tag) ? `${from}@${tag}` : `${from}:${tag}`;
  const dctx = distributionContext(engine);
  const o = { ref, platform: ctx.query.get('platform') || undefined, auth: authOf(ctx) };
  await streamed(ctx, async (progress) => {
    try {
      await pullImage(dctx, o, progress);
    } catch (e) {
      await engine.gc().catch(() => {});
      // as Docker: not a 401 (the docker CLI would prompt for a login), but "pull access denied"
      if (e instanceof UnauthorizedError || e instanceof ForbiddenError)
        throw new NotFoundError(
          `pull access denied for ${from}, repository does not exist or may require 'docker login': ${e.message}`,
        );
      throw e;
    }
  });
}

/** `POST /images/{name}/push` */
export function pushHandler(engine: Engine, ctx: Ctx): Promise<void> {
  return streamed(ctx, async (progress) => {
    await pushImage(
      distributionContext(engine),
      { name: ctx.params.name, tag: ctx.query.get('tag') ?? undefined, auth: authOf(ctx) },
      progress,
    );
  });
}

/** `POST /auth` */
export async function loginHandler(engine: Engine, { req, res }: Ctx): Promise<void> {
  const body = await readJson<AuthConfig>(req);
  const auth: AuthConfig = {};
  for (const [k, v] of Object.entries(body))
    if (typeof v === 'string') (auth as Record<string, string>)[k.toLowerCase()] = v;
  const domain = loginDomain(auth.serveraddress);
  const client = new RegistryClient(distributionContext(engine).hosts.endpoint(domain), credentialsOf(auth));
  await client.login();
  sendJson(res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
}

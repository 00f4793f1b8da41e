/** The Engine API: the router with every route, and the HTTP server. */
import type { Engine } from '../engine/engine.ts';
import { bootRouter } from './boot.ts';
import { Router } from './router.ts';
import { containerFsRoutes } from './routes/container-fs.ts';
import { containerIoRoutes } from './routes/container-io.ts';
import { containerRoutes } from './routes/containers.ts';
import { distributionRoutes } from './routes/distribution.ts';
import { execRoutes } from './routes/exec.ts';
import { imageRoutes } from './routes/images.ts';
import { networkRoutes } from './routes/networks.ts';
import { systemRoutes } from './routes/system.ts';
import { volumeRoutes } from './routes/volumes.ts';

export { bootRouter } from './boot.ts';
export { Router } from './router.ts';
export { createApiServer } from './server.ts';

/** Every route: the engine's, added to `r` (a boot router, or a new one). */
export function engineRouter(engine: Engine, r: Router = bootRouter()): Router {
  systemRoutes(r, engine);
  imageRoutes(r, engine);
  containerRoutes(r, engine);
  containerIoRoutes(r, engine);
  containerFsRoutes(r, engine);
  execRoutes(r, engine);
  volumeRoutes(r, engine);
  networkRoutes(r, engine);
  distributionRoutes(r, engine);
  lazyBuildRoutes(r, engine);
  return r;
}

/**
 * The builder loads on the first build request, or when there is a build
 * cache to keep (GC) or to count (`system df`): an idle daemon without one
 * does not carry it. routes/build.ts registers the builder's own GC root when
 * it loads; the GC's loop over `engine.gcRoots` reaches it after this one.
 */
function lazyBuildRoutes(r: Router, engine: Engine): void {
  let loaded: Promise<Router> | undefined;
  const load = () =>
    (loaded ??= import('./routes/build.ts').then((m) => {
      const sub = new Router();
      m.buildRoutes(sub, engine);
      return sub;
    }));
  const needed = () =>
    loaded !== undefined || engine.db.prepare('SELECT 1 FROM build_cache LIMIT 1').get() !== undefined;
  r.lazy(
    [
      ['POST', '/build'],
      ['POST', '/build/prune'],
    ],
    load,
  );
  engine.gcRoots.push(async () => {
    if (needed()) await load();
    return { blobs: [], snapshots: [] };
  });
  const placeholder = async (): Promise<unknown[]> => {
    if (!needed()) return [];
    await load();
    // routes/build.ts put the builder's own in place of this one
    return engine.buildCacheUsage === placeholder ? [] : engine.buildCacheUsage();
  };
  engine.buildCacheUsage = placeholder;
}

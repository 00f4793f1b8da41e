/** The Engine API: the router with every route, and the HTTP server. */
import type { Engine } from '../engine/engine.ts';
import { Router } from './router.ts';
import { buildRoutes } from './routes/build.ts';
import { containerFsRoutes } from './routes/container-fs.ts';
import { containerIoRoutes } from './routes/container-io.ts';
import { containerRoutes } from './routes/containers.ts';
import { distributionRoutes } from './routes/distribution.ts';
import { execRoutes } from './routes/exec.ts';
import { imageRoutes } from './routes/images.ts';
import { networkRoutes } from './routes/networks.ts';
import { systemRoutes } from './routes/system.ts';
import { volumeRoutes } from './routes/volumes.ts';

export { Router } from './router.ts';
export { createApiServer } from './server.ts';

export function engineRouter(engine: Engine): Router {
  const r = new Router();
  systemRoutes(r, engine);
  imageRoutes(r, engine);
  containerRoutes(r, engine);
  containerIoRoutes(r, engine);
  containerFsRoutes(r, engine);
  execRoutes(r, engine);
  volumeRoutes(r, engine);
  networkRoutes(r, engine);
  distributionRoutes(r, engine);
  buildRoutes(r, engine);
  return r;
}

/**
 * What berthd serves before its engine is open. Kept apart from index.ts
 * (which pulls in every route and the engine) so that the daemon's first
 * chunk stays small and it answers /_ping early.
 */
import { Router } from './router.ts';
import { bootRoutes } from './routes/ping.ts';

export { createApiServer } from './server.ts';

/** A router with /_ping and /version; engineRouter() adds the rest to it. */
export function bootRouter(): Router {
  const r = new Router();
  bootRoutes(r);
  return r;
}

/**
 * Distribution routes: pull (`POST /images/create?fromImage=`, see images.ts),
 * push, and `POST /auth` (docker login). The handlers load on first use.
 */
import type { Engine } from '../../engine/engine.ts';
import type { Ctx, Router } from '../router.ts';

const handlers = () => import('./distribution-handlers.ts');

/** `POST /images/create?fromImage=…&tag=…&platform=…` */
export async function pullHandler(engine: Engine, ctx: Ctx): Promise<void> {
  return (await handlers()).pullHandler(engine, ctx);
}

export function distributionRoutes(r: Router, engine: Engine): void {
  r.post('/images/{name:.*}/push', async (ctx) => (await handlers()).pushHandler(engine, ctx));
  r.post('/auth', async (ctx) => (await handlers()).loginHandler(engine, ctx));
}

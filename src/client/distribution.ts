/** Engine API calls for pull, push and login (`X-Registry-Auth` carries the credentials). */
import type { ProgressMessage } from '../wire/images.ts';
import type { EngineClient } from './client.ts';

export function pullImage(
  c: EngineClient,
  o: { fromImage: string; tag?: string; platform?: string; auth: string },
): AsyncGenerator<ProgressMessage> {
  return c.jsonLines({
    method: 'POST',
    path: '/images/create',
    query: { fromImage: o.fromImage, tag: o.tag, platform: o.platform },
    headers: { 'X-Registry-Auth': o.auth },
  });
}

export function pushImage(
  c: EngineClient,
  o: { name: string; tag?: string; auth: string },
): AsyncGenerator<ProgressMessage> {
  return c.jsonLines({
    method: 'POST',
    path: `/images/${encodeURIComponent(o.name)}/push`,
    query: { tag: o.tag },
    headers: { 'X-Registry-Auth': o.auth },
  });
}

export function login(
  c: EngineClient,
  o: { username?: string; password?: string; serveraddress: string },
): Promise<{ Status: string; IdentityToken?: string }> {
  return c.json({ method: 'POST', path: '/auth', body: o });
}

/**
 * Matches /v2/ paths to handlers. The path is taken raw (no dot-segment
 * normalisation), so a name with `..` reaches the name check and is refused.
 */
import { RegistryError } from '../errors.ts';
import { checkName } from '../names.ts';
import { deleteBlob, getBlob } from './blobs.ts';
import type { Action, Ctx } from './context.ts';
import { catalog, listTags, referrers } from './discovery.ts';
import { deleteManifest, getManifest, putManifest } from './manifests.ts';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './uploads.ts';

type Handler = (ctx: Ctx) => Promise<void>;

export interface Match {
  route: string;
  name: string;
  param: string;
  /** What the caller needs: scope on `name` (undefined: only an authenticated caller, for /v2/). */
  access?: { type: 'repository'; actions: Action[] } | { type: 'registry'; name: 'catalog'; actions: ['*'] };
  handler: Handler;
}

const PATTERNS: [RegExp, string][] = [
  [/^\/v2\/(.+)\/blobs\/uploads\/?([^/]*)$/, 'upload'],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, 'blob'],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, 'manifest'],
  [/^\/v2\/(.+)\/tags\/list$/, 'tags'],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, 'referrers'],
];

const methodNotAllowed = () => new RegistryError('UNSUPPORTED', 405, 'method not allowed');

function repoHandler(route: string, method: string, hasParam: boolean): [Handler, Action[]] {
  const read: Action[] = ['pull'];
  const write: Action[] = ['pull', 'push'];
  const del: Action[] = ['delete'];
  switch (`${route} ${method}`) {
    case 'upload POST':
      if (hasParam) break;
      return [startUpload, write];
    case 'upload PATCH':
      return [patchUpload, write];
    case 'upload PUT':
      return [putUpload, write];
    case 'upload GET':
      return [uploadStatus, write];
    case 'upload DELETE':
      return [cancelUpload, write];
    case 'blob GET':
      return [(c) => getBlob(c, false), read];
    case 'blob HEAD':
      return [(c) => getBlob(c, true), read];
    case 'blob DELETE':
      return [deleteBlob, del];
    case 'manifest GET':
      return [(c) => getManifest(c, false), read];
    case 'manifest HEAD':
      return [(c) => getManifest(c, true), read];
    case 'manifest PUT':
      return [putManifest, write];
    case 'manifest DELETE':
      return [deleteManifest, del];
    case 'tags GET':
      return [listTags, read];
    case 'referrers GET':
      return [referrers, read];
  }
  throw methodNotAllowed();
}

/** The route for a request, undefined when the path is not an API path. Throws NAME_INVALID / 405. */
export function matchRoute(method: string, path: string): Match | undefined {
  if (path === '/v2/' || path === '/v2') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
    return { route: 'base', name: '', param: '', handler: async (c) => baseHandler(c) };
  }
  if (path === '/v2/_catalog') {
    if (method !== 'GET') throw methodNotAllowed();
    return {
      route: 'catalog',
      name: '',
      param: '',
      access: { type: 'registry', name: 'catalog', actions: ['*'] },
      handler: catalog,
    };
  }
  if (!path.startsWith('/v2/')) return undefined;
  for (const [re, route] of PATTERNS) {
    const m = re.exec(path);
    if (!m) continue;
    let name: string;
    let param: string;
    try {
      name = decodeURIComponent(m[1]);
      param = decodeURIComponent(m[2] ?? '');
    } catch {
      throw new RegistryError('NAME_INVALID', 400, 'invalid escape in path');
    }
    checkName(name);
    if (route === 'upload' && method !== 'POST' && param === '') throw methodNotAllowed();
    const [handler, actions] = repoHandler(route, method, param !== '');
    return { route, name, param, access: { type: 'repository', actions }, handler };
  }
  const bad = /^\/v2\/(.+)\/(?:manifests|blobs|tags|referrers)\//.exec(path);
  if (bad) checkName(bad[1]);
  return undefined;
}

function baseHandler(c: Ctx): void {
  c.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
  c.res.end(c.req.method === 'HEAD' ? undefined : '{}');
}

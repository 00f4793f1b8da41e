/**
 * A small router: `METHOD /path/{param}` patterns, where `{name:.*}` takes
 * the rest of the path (image names contain slashes), matched in order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (from the path prefix), or the server's. */
  version: string;
  /** Takes over the connection for a hijacked stream (attach, exec start); it comes paused: resume() once listening. */
  hijack: () => Duplex;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  pattern: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

export type Match = { handler: Handler; params: Record<string, string> } | 'method' | undefined;

export class Router {
  private routes: Route[] = [];
  /** Set while routes are still to come (a starting daemon opens its engine after it listens). */
  private pending: Promise<unknown> | undefined;

  /**
   * Until `later` settles, a request that no route matches yet waits for it and
   * is matched again (the daemon answers /_ping at once, the rest once its engine is open).
   */
  waitFor(later: Promise<unknown>): void {
    const p = later.then(
      () => undefined,
      () => undefined,
    );
    this.pending = p;
    void p.then(() => {
      if (this.pending === p) this.pending = undefined;
    });
  }

  /** `match`, after the pending routes have come when none matches now. */
  async find(method: string, path: string): Promise<Match> {
    const found = this.match(method, path);
    if (typeof found === 'object' || !this.pending) return found;
    await this.pending;
    return this.match(method, path);
  }

  add(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const re = pattern
      .replace(/[.+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{(\w+)(?::([^}]+))?\}/g, (_m, name: string, custom?: string) => {
        names.push(name);
        return custom ? `(${custom.replace(/\\\./g, '.')})` : '([^/]+)';
      });
    this.routes.push({ method, pattern, re: new RegExp(`^${re}$`), names, handler });
    return this;
  }

  /**
   * Routes whose handlers live in a router that `load` makes on first use
   * (under the same method and pattern): code an idle daemon does not need.
   */
  lazy(routes: Array<[method: string, pattern: string]>, load: () => Promise<Router>): this {
    for (const [method, pattern] of routes) {
      this.add(method, pattern, async (ctx) => {
        const route = (await load()).routes.find((x) => x.method === method && x.pattern === pattern);
        if (!route) throw new Error(`lazy route ${method} ${pattern} is missing from its module`);
        return route.handler(ctx);
      });
    }
    return this;
  }

  get(p: string, h: Handler): this {
    return this.add('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.add('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.add('PUT', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.add('DELETE', p, h);
  }
  head(p: string, h: Handler): this {
    return this.add('HEAD', p, h);
  }

  /** The handler for a request, or 'method' when the path exists for other methods. */
  match(method: string, path: string): Match {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) {
        pathMatched = true;
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Ctx, Router } from './router.ts';

const ctx = (params: Record<string, string> = {}) => ({ params }) as unknown as Ctx;

it('a request for a route still to come waits for it; /_ping does not', async () => {
  const r = new Router();
  r.get('/_ping', () => {});
  let open: () => void = () => {};
  const later = new Promise<void>((resolve) => {
    open = () => {
      r.get('/images/json', () => {});
      resolve();
    };
  });
  r.waitFor(later);
  assert.equal(typeof r.match('GET', '/_ping'), 'object');
  let settled = false;
  const found = r.find('GET', '/images/json').then((m) => {
    settled = true;
    return m;
  });
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(settled, false, 'waits while the engine opens');
  open();
  assert.equal(typeof (await found), 'object');
  assert.equal(await r.find('GET', '/nothing'), undefined, 'an unknown path is a 404 once ready');
});

it('a failed start ends the wait (the daemon exits; nothing hangs)', async () => {
  const r = new Router();
  r.waitFor(Promise.reject(new Error('store locked')));
  assert.equal(await r.find('GET', '/images/json'), undefined);
});

it('lazy routes load their module once, on first use, and keep params', async () => {
  const r = new Router();
  let loads = 0;
  const seen: string[] = [];
  const load = async () => {
    loads++;
    const sub = new Router();
    sub.post('/build', () => {
      seen.push('build');
    });
    sub.post('/x/{id}/y', (c) => {
      seen.push(`y ${c.params.id}`);
    });
    return sub;
  };
  let cached: Promise<Router> | undefined;
  r.lazy(
    [
      ['POST', '/build'],
      ['POST', '/x/{id}/y'],
    ],
    () => (cached ??= load()),
  );
  assert.equal(loads, 0);
  const m = r.match('POST', '/x/abc/y');
  assert.ok(typeof m === 'object');
  await m.handler(ctx(m.params));
  const b = r.match('POST', '/build');
  assert.ok(typeof b === 'object');
  await b.handler(ctx());
  assert.deepEqual(seen, ['y abc', 'build']);
  assert.equal(loads, 1);
});

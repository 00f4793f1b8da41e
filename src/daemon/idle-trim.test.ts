import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { trimWhenIdle } from './idle-trim.ts';

const { createServer } = process.getBuiltinModule('node:http') as typeof import('node:http');

const calls: unknown[] = [];
const g = globalThis as { gc?: unknown };
const saved = g.gc;
g.gc = (o: unknown) => calls.push(o);
after(() => {
  g.gc = saved;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('collects once the API is quiet, not while a request is open, and again only after new work', async () => {
  let release: () => void = () => {};
  const server = createServer((req, res) => {
    if (req.url === '/slow') release = () => res.end('done');
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const get = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const q = request({ port, path, agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      q.on('error', reject);
      q.end();
    });
  let released = 0;
  trimWhenIdle(server, () => released++, 100);
  await sleep(200);
  assert.equal(calls.length, 1, 'once after start');
  assert.deepEqual(calls[0], { type: 'major', execution: 'sync', flavor: 'last-resort' });
  assert.equal(released, 1, 'the engine released its caches first');
  await sleep(200);
  assert.equal(calls.length, 1, 'not again while nothing happens');

  const slow = get('/slow');
  await sleep(250);
  assert.equal(calls.length, 1, 'not while a request is open');
  release();
  await slow;
  await get('/fast');
  await sleep(50);
  assert.equal(calls.length, 1, 'not before the quiet time');
  await sleep(200);
  assert.equal(calls.length, 2, 'once after the work');
  assert.equal(released, 2);
  server.close();
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { oneShot, oneShotBlocking, parseResponse } from './one-shot.ts';

test('parseResponse: sized, chunked and to-the-close bodies', () => {
  const sized = parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'));
  assert.deepEqual([sized.status, sized.body.toString()], [200, '{}']);
  const chunked = parseResponse(
    Buffer.from('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'),
  );
  assert.deepEqual([chunked.status, chunked.body.toString()], [404, 'abcde']);
  const closed = parseResponse(Buffer.from('HTTP/1.0 200 OK\r\n\r\nall of it'));
  assert.equal(closed.body.toString(), 'all of it');
  assert.throws(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-')), /before a complete answer/);
  assert.throws(
    () => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc')),
    /truncated/,
  );
});

test('oneShot against node:http over a unix socket: method, path, headers, body, big chunked answers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'one-shot-'));
  const sock = join(dir, 's');
  const big = 'x'.repeat(300_000);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/big') {
        res.write(big.slice(0, 100_000));
        res.end(big.slice(100_000));
        return;
      }
      res.statusCode = 201;
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers['x-auth'], body }));
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    const r = await oneShot({ socketPath: sock }, 'POST', '/v1/x?y=1', { 'X-Auth': 'tok' }, Buffer.from('{"a":1}'));
    assert.equal(r.status, 201);
    assert.deepEqual(JSON.parse(r.body.toString()), { method: 'POST', url: '/v1/x?y=1', auth: 'tok', body: '{"a":1}' });
    const b = await oneShot({ socketPath: sock }, 'GET', '/big', {});
    assert.equal(b.body.toString(), big);
    await assert.rejects(oneShot({ socketPath: join(dir, 'none') }, 'GET', '/', {}), /ENOENT/);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('oneShotBlocking: the same exchange in one blocking call, against a server on another thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'one-shot-'));
  const sock = join(dir, 's');
  // The server runs on a worker thread: this thread is blocked while it answers.
  const worker = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort, workerData } = require('node:worker_threads');
     const big = 'y'.repeat(300000);
     createServer((req, res) => {
       let body = '';
       req.on('data', (c) => (body += c));
       req.on('end', () => {
         if (req.url === '/big') { res.write(big.slice(0, 1000)); return setTimeout(() => res.end(big.slice(1000)), 50); }
         if (req.url === '/hangup') return req.socket.destroy();
         res.statusCode = 409;
         res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers['x-auth'], body }));
       });
     }).listen(workerData, () => parentPort.postMessage('up'));`,
    { eval: true, workerData: sock },
  );
  await new Promise((r) => worker.once('message', r));
  try {
    const r = oneShotBlocking(
      { socketPath: sock },
      'PUT',
      '/v1/x?y=%C3%BC',
      { 'X-Auth': 'tok' },
      Buffer.from('{"a":"é"}'),
    );
    assert.equal(r?.status, 409);
    assert.deepEqual(JSON.parse(r?.body.toString() ?? ''), {
      method: 'PUT',
      url: '/v1/x?y=%C3%BC',
      auth: 'tok',
      body: '{"a":"é"}',
    });
    assert.equal(oneShotBlocking({ socketPath: sock }, 'GET', '/big', {})?.body.toString(), 'y'.repeat(300_000));
    assert.throws(() => oneShotBlocking({ socketPath: sock }, 'GET', '/hangup', {}), /before a complete answer/);
    assert.throws(
      () => oneShotBlocking({ socketPath: join(dir, 'none') }, 'GET', '/', {}),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
    assert.equal(oneShotBlocking({ hostname: '127.0.0.1', port: 1 }, 'GET', '/', {}), undefined, 'tcp: not blocking');
  } finally {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

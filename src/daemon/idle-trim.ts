/**
 * Gives memory back when the daemon goes quiet: a full, compacting garbage
 * collection of the "last resort" kind (V8 also releases its free pages and
 * pools) once the API has seen no request for `quietMs` after some work
 * (start-up, a load, a build), then malloc_trim(3), since glibc keeps the
 * pages that zlib, SQLite and the thread pool freed (~30 MiB after loading a
 * 200 MB image). An idle berthd stays small (issue 2 asks ≤ 60 MiB); a busy
 * one is never interrupted by it.
 *
 * While a request is open (a load, `docker events`), it waits. Needs node's
 * --expose-gc (bin/berthd passes it); without it this does nothing.
 */
import type { Server } from 'node:http';
import { native } from '../sys/native.ts';

type GcFn = (o: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** `release` frees what the engine can refill (SQLite's page cache) before the collection. */
export function trimWhenIdle(server: Server, release: () => void, quietMs = 500): void {
  const gc = (globalThis as { gc?: GcFn }).gc;
  if (typeof gc !== 'function') return;
  let active = 0;
  const timer = setTimeout(() => {
    if (active !== 0) return;
    release();
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    native().mallocTrim();
  }, quietMs);
  timer.unref();
  // A request is done when its response closes, or its socket does (a hijacked stream).
  server.on('request', (req, res) => {
    active++;
    timer.refresh();
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      active--;
      timer.refresh();
    };
    res.once('close', end);
    req.socket.once('close', end);
  });
}

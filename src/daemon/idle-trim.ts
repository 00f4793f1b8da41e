/**
 * Gives memory back when the daemon goes quiet: a full, compacting garbage
 * collection of the "last resort" kind (V8 also releases its free pages and
 * pools) once the API has seen no request for `quietMs` after some work
 * (start-up, a load, a build), then malloc_trim(3), since glibc keeps the
 * pages that zlib, SQLite and the thread pool freed (~30 MiB after loading a
 * 200 MB image). An idle berthd stays small (issue 2 asks ≤ 60 MiB); a busy
 * one is never interrupted by it.
 *
 * While a request is open (a load, `docker events`), it waits.
 *
 * The gc function comes from V8's --expose-gc set at run time, when the
 * daemon first goes quiet, not from the command line: a V8 flag given there
 * changes the flag hash that Node's built-in code cache is checked against,
 * and every Node module berthd loads at start would be compiled anew
 * (~10 ms to the first /_ping, more to ready, here).
 */
import type { Server } from 'node:http';
import { native } from '../sys/native.ts';

type GcFn = (o: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** globalThis.gc when node was started with --expose-gc, else one made by setting the flag now. */
function exposedGc(): GcFn | undefined {
  const given = (globalThis as { gc?: GcFn }).gc;
  if (typeof given === 'function') return given;
  try {
    (process.getBuiltinModule('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    return (process.getBuiltinModule('node:vm') as typeof import('node:vm')).runInNewContext('gc') as GcFn;
  } catch {
    return undefined;
  }
}

/** `release` frees what the engine can refill (SQLite's page cache) before the collection. */
export function trimWhenIdle(server: Server, release: () => void, quietMs = 500): void {
  let gc: GcFn | undefined;
  let active = 0;
  const timer = setTimeout(() => {
    if (active !== 0) return;
    gc ??= exposedGc();
    if (!gc) return;
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

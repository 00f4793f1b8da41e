/**
 * berthd's composition root: flags and config, the data-root lock, the API
 * server on every --host, then the engine, and a clean shutdown on SIGTERM.
 *
 * It listens before it opens the engine: /_ping and /version are answered at
 * once, and every other request waits until the store is open and recovery
 * (networks, containers) is done. The engine and the routes come in a chunk
 * of their own (engine-start.ts, a dynamic import), so that the first chunk
 * node loads is small.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootRouter, createApiServer } from '../api/boot.ts';
import type { Engine } from '../engine/engine.ts';
import { errorMessage } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';
import { BERTH_VERSION } from '../lib/version.ts';
import { lockFile } from '../sys/lock.ts';
import { type Flags, loadConfig } from './config.ts';
import { trimWhenIdle } from './idle-trim.ts';
import { listen } from './listen.ts';

// node:util through getBuiltinModule: an ES import of it evaluates every lazy
// export (worker_threads, diff, …), about 1 MiB of resident memory for parseArgs.
const { parseArgs } = process.getBuiltinModule('node:util') as typeof import('node:util');

const USAGE = `Usage: berthd [OPTIONS]

The Berth daemon: runs containers and serves the Docker Engine API.

Options:
  --data-root DIR      persistent state (default /var/lib/berth)
  --exec-root DIR      runtime state (default /run/berth)
  -H, --host ADDR      unix:///path or tcp://host:port, repeatable (default unix:///run/berth/berth.sock)
  --log-level LEVEL    debug, info, warn, error (default info)
  --config-file FILE   JSON config with the same keys (default /etc/berth/daemon.json)
  --default-runtime R  crun (default) or runc
  -v, --version        print the version
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-root': { type: 'string' },
      'exec-root': { type: 'string' },
      host: { type: 'string', short: 'H', multiple: true },
      'log-level': { type: 'string', short: 'l' },
      'config-file': { type: 'string' },
      'default-runtime': { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`berthd version ${BERTH_VERSION}\n`);
    return 0;
  }
  const config = loadConfig(values as Flags);
  const log = createLogger(config.logLevel, { component: 'berthd' });
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  const lock = lockFile(join(config.dataRoot, 'berth.lock'), `data root ${config.dataRoot}`);
  const router = bootRouter();
  const server = createApiServer(router, log);
  const closers: Array<() => void> = [];
  for (const h of config.hosts) closers.push(await listen(server, h));
  const starting = import('./engine-start.ts').then((m) => m.startEngine(config, log, router));
  router.waitFor(starting);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    server.close();
    server.closeAllConnections();
    for (const c of closers) c();
    const closed = starting.then((e) => e.close());
    void closed.finally(() => {
      lock.release();
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let engine: Engine;
  try {
    engine = await starting;
  } catch (e) {
    server.close();
    for (const c of closers) c();
    throw e;
  }
  // Leftovers of a crash (blobs, snapshots nothing refers to) go once the API is up.
  setImmediate(() => void engine.gc().catch((err) => log.warn('startup garbage collection failed', { error: err })));
  trimWhenIdle(server, () => engine.releaseMemory());
  log.info('berthd is ready', {
    version: BERTH_VERSION,
    hosts: config.hosts,
    dataRoot: config.dataRoot,
    instance: config.instance,
    pid: process.pid,
  });
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    process.stderr.write(`berthd: ${errorMessage(e)}\n`);
    process.exit(1);
  },
);

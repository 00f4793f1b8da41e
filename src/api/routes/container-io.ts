/** Container I/O routes: attach (hijacked), logs, resize, wait. */
import type { Duplex } from 'node:stream';
import { rotationPolicy } from '../../engine/containers/log-rotation.ts';
import type { Engine } from '../../engine/engine.ts';
import { ConflictError } from '../../lib/errors.ts';
import { resize } from '../../runtime/attach.ts';
import { followLogs, type LogEntry, readLogs } from '../../runtime/logs.ts';
import { qBool, qInt } from '../http.ts';
import type { Ctx, Router } from '../router.ts';
import { detachScanner, streamWriter } from '../stream-frames.ts';

function parseTime(s: string | null): Date | undefined {
  if (!s || s === '0') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return new Date(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

export function containerIoRoutes(r: Router, engine: Engine): void {
  const svc = engine.containers;
  r.post('/containers/{id}/attach', (ctx) => attach(engine, ctx));
  r.get('/containers/{id}/logs', (ctx) => logs(engine, ctx));
  r.post('/containers/{id}/resize', ({ res, params, query }) => {
    const rec = svc.get(params.id);
    if (!rec.State.Running) throw new ConflictError(`Container ${rec.Id} is not running`);
    resize(svc.paths(rec.Id).bundle, qInt(query, 'h') ?? 24, qInt(query, 'w') ?? 80);
    res.writeHead(200);
    res.end();
  });
  r.post('/containers/{id}/wait', async ({ res, params, query }) => {
    const cond = (query.get('condition') || 'not-running') as 'not-running' | 'next-exit' | 'removed';
    svc.get(params.id);
    const p = svc.wait(params.id, cond);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const out = await p;
    res.end(JSON.stringify(out));
  });
}

async function attach(engine: Engine, { params, query, hijack }: Ctx): Promise<void> {
  const svc = engine.containers;
  const rec = svc.get(params.id);
  if (rec.State.Status === 'exited' && qBool(query, 'stream') && !qBool(query, 'logs')) {
    throw new ConflictError('You cannot attach to a stopped container, start it first');
  }
  const wantOut = qBool(query, 'stdout');
  const wantErr = qBool(query, 'stderr');
  const wantIn = qBool(query, 'stdin');
  const sock: Duplex = hijack();
  const tty = rec.Config.Tty;
  const write = streamWriter((b) => sock.write(b), tty);
  const emit = (s: 'stdout' | 'stderr', d: Buffer) => {
    if ((s === 'stdout' && wantOut) || (s === 'stderr' && wantErr)) write(s, d);
  };
  if (qBool(query, 'logs')) {
    for (const e of readLogs(svc.paths(rec.Id).log)) emit(e.stream, Buffer.from(e.partial ? e.line : `${e.line}\n`));
  }
  if (!qBool(query, 'stream')) {
    sock.end();
    return;
  }
  let closed = false;
  const end = () => {
    if (!closed) {
      closed = true;
      sock.end();
    }
  };
  svc.attachWhenRunning(
    rec,
    async (bundle) => {
      const a = await svc.openAttachSocket(bundle);
      a.onData(emit);
      a.onClose(() => end());
      sock.on('close', () => a.close());
      if (wantIn) {
        const scan = detachScanner(query.get('detachKeys'));
        sock.on('data', (chunk: Buffer) => {
          const [pass, detached] = tty ? scan(chunk) : [chunk, false];
          if (pass.length) void a.write(pass).catch(() => {});
          if (detached) {
            a.close();
            end();
          }
        });
        sock.on('end', () => {
          if (rec.Config.StdinOnce) void a.closeStdin().catch(() => {});
        });
      }
      sock.resume();
    },
    end,
  );
}

async function logs(engine: Engine, { res, params, query }: Ctx): Promise<void> {
  const svc = engine.containers;
  const rec = svc.get(params.id);
  const wantOut = qBool(query, 'stdout');
  const wantErr = qBool(query, 'stderr');
  const ts = qBool(query, 'timestamps');
  const tailQ = query.get('tail');
  const tail = tailQ && tailQ !== 'all' ? Number(tailQ) : undefined;
  const opts = {
    tail,
    since: parseTime(query.get('since')),
    until: parseTime(query.get('until')),
    maxFiles: rotationPolicy(rec.HostConfig)?.maxFiles,
  };
  const tty = rec.Config.Tty;
  res.writeHead(200, {
    'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
  });
  const write = streamWriter((b) => res.write(b), tty);
  const emit = (e: LogEntry) => {
    if ((e.stream === 'stdout' && !wantOut) || (e.stream === 'stderr' && !wantErr)) return;
    const stamp = ts ? `${e.timestamp.replace(/\+00:00$/, 'Z')} ` : '';
    const text = `${stamp}${e.line}${e.partial ? '' : '\n'}`;
    write(e.stream, Buffer.from(text));
  };
  const path = svc.paths(rec.Id).log;
  if (!qBool(query, 'follow') || !rec.State.Running) {
    for (const e of readLogs(path, opts)) emit(e);
    res.end();
    return;
  }
  const ac = new AbortController();
  const live = svc.live.get(rec.Id);
  const onExit = () => setTimeout(() => ac.abort(), 50);
  live.events.once('exit', onExit);
  res.on('close', () => ac.abort());
  await followLogs(path, { ...opts, signal: ac.signal }, emit);
  live.events.off('exit', onExit);
  res.end();
}

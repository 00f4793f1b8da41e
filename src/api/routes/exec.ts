/** Exec routes: create, start (hijacked), inspect, resize. */

import type { ExecConfig } from '../../engine/containers/exec-service.ts';
import type { Engine } from '../../engine/engine.ts';
import { errorMessage } from '../../lib/errors.ts';
import { resize } from '../../runtime/attach.ts';
import { qInt, readJson, sendJson } from '../http.ts';
import type { Router } from '../router.ts';
import { detachScanner, streamWriter } from '../stream-frames.ts';

export function execRoutes(r: Router, engine: Engine): void {
  const execs = engine.execs;
  r.post('/containers/{id}/exec', async ({ req, res, params }) => {
    sendJson(res, 201, execs.create(params.id, await readJson<ExecConfig>(req)));
  });
  r.get('/exec/{id}/json', ({ res, params }) => sendJson(res, 200, execs.inspect(params.id)));
  r.post('/exec/{id}/resize', ({ res, params, query }) => {
    execs.resize(params.id, qInt(query, 'h') ?? 24, qInt(query, 'w') ?? 80, resize);
    res.writeHead(200);
    res.end();
  });
  r.post('/exec/{id}/start', async ({ req, res, params, hijack }) => {
    const body = await readJson<{ Detach?: boolean; Tty?: boolean }>(req);
    execs.get(params.id);
    if (body.Detach) {
      await execs.start(params.id, { attach: false, tty: body.Tty });
      res.writeHead(200);
      res.end();
      return;
    }
    let started: Awaited<ReturnType<typeof execs.start>>;
    try {
      started = await execs.start(params.id, { attach: true, tty: body.Tty });
    } catch (e) {
      // As Docker: the stream opens, carries the runtime's error, and the exec
      // records 126/127 for the client's inspect that follows.
      const msg = `OCI runtime exec failed: ${errorMessage(e)}\r\n`;
      const code = /not found|no such file/i.test(msg) ? 127 : 126;
      execs.fail(params.id, code);
      const sock = hijack();
      streamWriter((b) => sock.write(b), !!body.Tty)('stderr', Buffer.from(msg));
      sock.end();
      return;
    }
    const { exec, attachment } = started;
    const sock = hijack();
    const c = exec.config;
    const write = streamWriter((b) => sock.write(b), !!c.Tty);
    attachment?.onData((s, d) => {
      if ((s === 'stdout' && c.AttachStdout !== false) || (s === 'stderr' && c.AttachStderr !== false)) write(s, d);
    });
    const finish = async () => {
      await exec.done;
      sock.end();
    };
    attachment?.onClose(() => void finish());
    if (!attachment) void finish();
    sock.on('close', () => attachment?.close());
    if (c.AttachStdin && attachment) {
      const scan = detachScanner(c.DetachKeys ?? null);
      sock.on('data', (chunk: Buffer) => {
        const [pass, detached] = c.Tty ? scan(chunk) : [chunk, false];
        if (pass.length) void attachment.write(pass).catch(() => {});
        if (detached) {
          attachment.close();
          sock.end();
        }
      });
      sock.on('end', () => void attachment.closeStdin().catch(() => {}));
    }
    sock.resume();
  });
}

/**
 * Hijacked streams: `POST /containers/{id}/attach` and `POST /exec/{id}/start`
 * upgrade the HTTP connection to a raw two-way stream. Without a TTY the
 * daemon frames output in 8-byte headers (stream id, 3 zero bytes,
 * big-endian length); with one the bytes come raw. Stdin goes up raw; its EOF
 * is signalled by half-closing the socket.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { EngineClient } from './client.ts';

/** Splits Docker's multiplexed stream into stdout (1) and stderr (2) payloads. */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  private readonly out: (stream: number, data: Buffer) => void;

  constructor(out: (stream: number, data: Buffer) => void) {
    this.out = out;
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const stream = this.buf[0] ?? 1;
      const data = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (size > 0) this.out(stream, data);
    }
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get pending(): number {
    return this.buf.length;
  }
}

/** `ctrl-p,ctrl-q` → byte values, as Docker reads `--detach-keys`. */
export function detachKeyBytes(spec: string): number[] {
  if (!spec) return [];
  return spec.split(',').map((k) => {
    const key = k.trim();
    const m = /^ctrl-(.)$/i.exec(key);
    if (!m) {
      if (key.length !== 1) throw new Error(`invalid detach keys: "${spec}"`);
      return key.charCodeAt(0);
    }
    const ch = (m[1] as string).toLowerCase();
    if (ch >= 'a' && ch <= 'z') return ch.charCodeAt(0) - 96;
    const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
    const v = special[ch];
    if (v === undefined) throw new Error(`invalid detach keys: "${spec}"`);
    return v;
  });
}

/** Watches bytes typed for the detach sequence; true once it has been seen. */
export function detachWatcher(spec: string): (chunk: Buffer) => boolean {
  const seq = detachKeyBytes(spec);
  let matched = 0;
  return (chunk) => {
    if (!seq.length) return false;
    for (const b of chunk) {
      if (b === seq[matched]) matched++;
      else matched = b === seq[0] ? 1 : 0;
      if (matched === seq.length) return true;
    }
    return false;
  };
}

export interface PumpOptions {
  tty: boolean;
  /** What to send up; none when stdin is not attached. */
  stdin?: Readable | null;
  stdout: Writable;
  stderr: Writable;
  /** With a TTY and stdin: the keys that detach (the daemon acts on them; this side notices). */
  detachKeys?: string;
}

export interface Hijacked {
  /** Settles when the daemon closes the output: `detached` if the user typed the detach keys. */
  done: Promise<{ detached: boolean }>;
  /** Stops reading stdin and drops the connection. */
  close(): void;
}

/** Connects stdin/stdout/stderr to a hijacked socket. */
export function pump(socket: Duplex, head: Buffer, o: PumpOptions): Hijacked {
  let detached = false;
  let finished = false;
  const write = (w: Writable, d: Buffer) => {
    if (!w.write(d)) {
      socket.pause();
      w.once('drain', () => socket.resume());
    }
  };
  const demux = new FrameDemuxer((s, d) => write(s === 2 ? o.stderr : o.stdout, d));
  const onOutput = (d: Buffer) => (o.tty ? write(o.stdout, d) : demux.push(d));

  const stdin = o.stdin;
  const watch = o.tty && stdin ? detachWatcher(o.detachKeys ?? 'ctrl-p,ctrl-q') : undefined;
  let detachTimer: NodeJS.Timeout | undefined;
  const onInput = (d: Buffer) => {
    if (finished) return;
    socket.write(d);
    if (watch?.(d)) {
      detached = true;
      // The daemon closes the stream on the detach keys; drop it ourselves if it does not.
      detachTimer = setTimeout(() => socket.destroy(), 2000);
      detachTimer.unref();
    }
  };
  const onInputEnd = () => {
    if (!finished) socket.end();
  };
  const stopInput = () => {
    if (!stdin) return;
    stdin.off('data', onInput);
    stdin.off('end', onInputEnd);
    stdin.pause();
  };

  const done = new Promise<{ detached: boolean }>((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      if (detachTimer) clearTimeout(detachTimer);
      stopInput();
      resolve({ detached });
    };
    socket.on('data', onOutput);
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
  if (head.length) onOutput(head);
  if (stdin) {
    stdin.on('data', onInput);
    stdin.once('end', onInputEnd);
    stdin.resume();
  }
  return {
    done,
    close() {
      stopInput();
      socket.destroy();
    },
  };
}

/** `POST /containers/{id}/attach` upgraded; returns the raw socket. */
export function attachSocket(
  api: EngineClient,
  id: string,
  o: { stdin: boolean; stdout: boolean; stderr: boolean; logs?: boolean; detachKeys?: string },
): Promise<{ socket: Duplex; head: Buffer }> {
  return api.upgrade({
    method: 'POST',
    path: `/containers/${encodeURIComponent(id)}/attach`,
    query: {
      stream: true,
      logs: o.logs,
      stdin: o.stdin,
      stdout: o.stdout,
      stderr: o.stderr,
      detachKeys: o.detachKeys,
    },
  });
}

/** `POST /exec/{id}/start` upgraded; returns the raw socket. */
export function execStartSocket(
  api: EngineClient,
  execId: string,
  o: { tty: boolean; consoleSize?: [number, number] },
): Promise<{ socket: Duplex; head: Buffer }> {
  return api.upgrade({
    method: 'POST',
    path: `/exec/${encodeURIComponent(execId)}/start`,
    body: { Detach: false, Tty: o.tty, ConsoleSize: o.consoleSize },
  });
}

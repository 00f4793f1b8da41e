/**
 * A client of conmon's attach socket (BUNDLE/attach, SOCK_SEQPACKET) through
 * the native helper native/berth_attach.c (uv_poll on Node's loop), plus the
 * ctl fifo (resize, log reopen).
 *
 * Packets from conmon: 1 byte stream id (2 stdout, 3 stderr) + data.
 * To conmon: raw stdin, at most 32 KiB a packet (conmon's read size);
 * shutdown(SHUT_WR) closes the container's stdin. No replay: what was
 * written before the attach is in the log only.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadAddon } from '../lib/addon.ts';
import { InternalError } from '../lib/errors.ts';

interface AttachNative {
  connect(dir: string): number;
  watch(fd: number, cb: (kind: number, data: Buffer | number | undefined) => void): object;
  wantWritable(handle: object, on: boolean): void;
  send(fd: number, buf: Buffer): number;
  shutdownWrite(fd: number): void;
  close(handle: object): void;
  closeFd(fd: number): void;
}

function nativeAttach(): AttachNative {
  return loadAddon<AttachNative>('berth_attach', 'the attach helper');
}

export type StdStream = 'stdout' | 'stderr';
const MAX_PACKET = 32 * 1024;

export interface Attachment {
  /** Output of the container; stream is stdout for everything a TTY writes. */
  onData(cb: (stream: StdStream, data: Buffer) => void): void;
  /** Called once when conmon closes the socket (container gone) or on error. */
  onClose(cb: (err?: Error) => void): void;
  /** Queues stdin bytes; resolves when handed to conmon. */
  write(buf: Buffer | string): Promise<void>;
  /** Closes the container's stdin once queued writes are through. */
  closeStdin(): Promise<void>;
  /** Detaches; the container keeps running. */
  close(): void;
  readonly closed: boolean;
}

/** Connects to `DIR/attach` (DIR = the bundle, or an exec session's directory). */
export async function attach(dir: string): Promise<Attachment> {
  const n = nativeAttach();
  const fd = n.connect(dir);
  const dataCbs: ((s: StdStream, d: Buffer) => void)[] = [];
  const closeCbs: ((e?: Error) => void)[] = [];
  const queue: { buf: Buffer; resolve: () => void; reject: (e: Error) => void }[] = [];
  let closed = false;
  let shutdownWanted: (() => void) | undefined;
  let writableWanted = false;

  const finish = (err?: Error) => {
    if (closed) return;
    closed = true;
    n.close(handle);
    for (const q of queue.splice(0)) q.reject(err ?? new InternalError('attach closed'));
    for (const cb of closeCbs) cb(err);
  };
  const flush = () => {
    while (queue.length && !closed) {
      const q = queue[0]!;
      let sent: number;
      try {
        sent = n.send(fd, q.buf);
      } catch (e) {
        finish(e as Error);
        return;
      }
      if (sent < 0) {
        if (!writableWanted) {
          writableWanted = true;
          n.wantWritable(handle, true);
        }
        return;
      }
      queue.shift();
      q.resolve();
    }
    if (writableWanted && !closed) {
      writableWanted = false;
      n.wantWritable(handle, false);
    }
    if (!queue.length && shutdownWanted && !closed) {
      const done = shutdownWanted;
      shutdownWanted = undefined;
      n.shutdownWrite(fd);
      done();
    }
  };
  const handle = n.watch(fd, (kind, data) => {
    if (kind === 0) {
      const b = data as Buffer;
      if (b.length < 1) return;
      const stream: StdStream = b[0] === 3 ? 'stderr' : 'stdout';
      const payload = b.subarray(1);
      for (const cb of dataCbs) cb(stream, payload);
    } else if (kind === 1) finish();
    else if (kind === 2) finish(new InternalError(`attach socket error ${data as number}`));
    else if (kind === 3) flush();
  });

  const a: Attachment = {
    onData: (cb) => void dataCbs.push(cb),
    onClose: (cb) => void closeCbs.push(cb),
    write(buf) {
      if (closed) return Promise.reject(new InternalError('attach closed'));
      const b = typeof buf === 'string' ? Buffer.from(buf) : buf;
      const parts: Promise<void>[] = [];
      for (let off = 0; off < b.length; off += MAX_PACKET) {
        const chunk = b.subarray(off, off + MAX_PACKET);
        parts.push(new Promise((resolve, reject) => queue.push({ buf: chunk, resolve, reject })));
      }
      flush();
      return Promise.all(parts).then(() => undefined);
    },
    closeStdin() {
      if (closed) return Promise.resolve();
      return new Promise((resolve) => {
        shutdownWanted = resolve;
        flush();
      });
    },
    close: () => finish(),
    get closed() {
      return closed;
    },
  };
  return a;
}

/** conmon's control fifo: `1 H W` resizes the pty, `2 0 0` reopens the log files. */
function writeCtl(dir: string, line: string): void {
  let fd: number;
  try {
    fd = openSync(join(dir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InternalError(`cannot open ${join(dir, 'ctl')}: ${(e as Error).message}`, { cause: e });
  }
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

/** Trailing repeats of the last size asked per DIR (see resize). */
const repeats = new Map<string, NodeJS.Timeout>();
const REPEAT_AFTER_MS = 100;

/**
 * Resizes the pty of the container (or exec session) whose conmon owns DIR.
 * conmon 2.1.6 acts on the first message of each read of its ctl fifo, so
 * two resizes in quick succession (the docker CLI sends H+1×W+1 then H×W on
 * every attach) can lose the second: the last size asked is written once
 * more, alone, a moment later. Writing a size the pty has is a no-op.
 */
export function resize(dir: string, height: number, width: number): void {
  const h = Math.max(0, Math.min(1000, Math.floor(height)));
  const w = Math.max(0, Math.min(1000, Math.floor(width)));
  const line = `1 ${h} ${w}\n`;
  writeCtl(dir, line);
  clearTimeout(repeats.get(dir));
  const t = setTimeout(() => {
    repeats.delete(dir);
    try {
      writeCtl(dir, line);
    } catch {
      // The container or session ended meanwhile: nothing left to size.
    }
  }, REPEAT_AFTER_MS);
  t.unref();
  repeats.set(dir, t);
}

/** Asks conmon to reopen its log file (after the log was renamed for rotation). */
export function reopenLog(dir: string): void {
  writeCtl(dir, '2 0 0\n');
}

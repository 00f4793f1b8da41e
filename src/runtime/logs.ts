/**
 * Container logs as conmon writes them (`-l k8s-file:PATH`), one record a line:
 *
 *   2026-11-27T17:06:18.562584075+00:00 stdout F hello
 *   TIMESTAMP (RFC 3339, ns)            STREAM  F = full line, P = part of one
 *
 * Rotation keeps N files: PATH (current), PATH.1 (newer) … PATH.(N-1)
 * (oldest). To rotate, the files are shifted up and conmon is asked to
 * reopen its log through BUNDLE/ctl: nothing written in between is lost, it
 * lands at the end of PATH.1.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isNotFound } from '../lib/errors.ts';
import type { StdStream } from './attach.ts';
import { reopenLog } from './attach.ts';

export interface LogEntry {
  /** The record's timestamp as written (nanoseconds, for `docker logs -t`). */
  timestamp: string;
  time: Date;
  stream: StdStream;
  /** The line without its newline; a TTY's lines keep their `\r`. */
  line: string;
  /** True when the line had no newline yet (end of the log). */
  partial: boolean;
}

export interface LogReadOptions {
  /** Only the last N entries. */
  tail?: number;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
  /** How many files rotation keeps (to find PATH.1 …); default 1. */
  maxFiles?: number;
}

/** Joins P records into whole lines; feed it raw records in order. */
export class LogLineParser {
  #pending = new Map<StdStream, { timestamp: string; text: string }>();

  /** Parses one record; returns an entry when a line is complete. */
  push(record: string): LogEntry | undefined {
    const s1 = record.indexOf(' ');
    const s2 = record.indexOf(' ', s1 + 1);
    const s3 = record.indexOf(' ', s2 + 1);
    if (s1 < 0 || s2 < 0) return undefined;
    const timestamp = record.slice(0, s1);
    const stream = record.slice(s1 + 1, s2);
    if (stream !== 'stdout' && stream !== 'stderr') return undefined;
    const tag = s3 < 0 ? record.slice(s2 + 1) : record.slice(s2 + 1, s3);
    const text = s3 < 0 ? '' : record.slice(s3 + 1);
    const prev = this.#pending.get(stream);
    if (tag === 'P') {
      if (prev) prev.text += text;
      else this.#pending.set(stream, { timestamp, text });
      return undefined;
    }
    this.#pending.delete(stream);
    const first = prev?.timestamp ?? timestamp;
    return { timestamp: first, time: parseTimestamp(first), stream, line: (prev?.text ?? '') + text, partial: false };
  }

  /** Lines still waiting for their end, as partial entries. */
  flush(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [stream, p] of this.#pending) {
      out.push({ timestamp: p.timestamp, time: parseTimestamp(p.timestamp), stream, line: p.text, partial: true });
    }
    this.#pending.clear();
    return out.sort((a, b) => a.time.getTime() - b.time.getTime());
  }
}

export function parseTimestamp(ts: string): Date {
  // Date keeps milliseconds: cut the fraction to 3 digits.
  return new Date(ts.replace(/\.(\d{3})\d*/, '.$1'));
}

/** PATH.(N-1) … PATH.1, PATH: the files of a log, oldest first, that exist. */
export function logFiles(path: string, maxFiles = 1): string[] {
  const out: string[] = [];
  for (let i = Math.max(1, maxFiles) - 1; i >= 1; i--) out.push(`${path}.${i}`);
  out.push(path);
  return out.filter((p) => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}

function readWhole(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return '';
    throw e;
  }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) chunks.push(Buffer.from(buf.subarray(0, n)));
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function keep(e: LogEntry, o: LogReadOptions): boolean {
  if (o.since && e.time < o.since) return false;
  if (o.until && e.time >= o.until) return false;
  return true;
}

/** Reads the whole log (all rotated files), filtered. */
export function readLogs(path: string, opts: LogReadOptions = {}): LogEntry[] {
  const parser = new LogLineParser();
  const out: LogEntry[] = [];
  for (const file of logFiles(path, opts.maxFiles)) {
    for (const rec of readWhole(file).split('\n')) {
      if (!rec) continue;
      const e = parser.push(rec);
      if (e && keep(e, opts)) out.push(e);
    }
  }
  for (const e of parser.flush()) if (keep(e, opts)) out.push(e);
  if (opts.tail !== undefined && opts.tail >= 0) return opts.tail === 0 ? [] : out.slice(-opts.tail);
  return out;
}

export interface FollowOptions extends LogReadOptions {
  /** Stops following; entries written before the abort are still delivered. */
  signal: AbortSignal;
  pollMs?: number;
}

/**
 * Delivers what `readLogs` would, then every new entry as it is written,
 * across rotations, until `signal` aborts (the caller aborts after the
 * container exited, or when the client goes away). Resolves then.
 */
export function followLogs(path: string, opts: FollowOptions, onEntry: (e: LogEntry) => void): Promise<void> {
  const parser = new LogLineParser();
  const emit = (e: LogEntry) => {
    if (opts.until && e.time >= opts.until) return;
    if (!opts.since || e.time >= opts.since) onEntry(e);
  };
  // History: every file but the current one whole; then the current one from an fd we keep.
  const files = logFiles(path, opts.maxFiles).filter((f) => f !== path);
  const history: LogEntry[] = [];
  for (const file of files) {
    for (const rec of readWhole(file).split('\n')) {
      const e = rec ? parser.push(rec) : undefined;
      if (e) history.push(e);
    }
  }
  let fd: number | undefined;
  let ino = -1;
  let rest = '';
  const buf = Buffer.allocUnsafe(1 << 16);
  const open = () => {
    try {
      fd = openSync(path, 'r');
      ino = fstatSync(fd).ino;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      fd = undefined;
    }
  };
  const drain = (sink: (e: LogEntry) => void) => {
    if (fd === undefined) return;
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      rest += buf.subarray(0, n).toString('utf8');
      const recs = rest.split('\n');
      rest = recs.pop() ?? '';
      for (const r of recs) {
        const e = r ? parser.push(r) : undefined;
        if (e) sink(e);
      }
    }
  };
  open();
  drain((e) => history.push(e));
  const kept = history.filter((e) => keep(e, opts));
  for (const e of opts.tail !== undefined && opts.tail >= 0 ? kept.slice(kept.length - opts.tail) : kept) onEntry(e);

  return new Promise((resolve) => {
    const tick = () => {
      drain(emit);
      let cur = -1;
      try {
        cur = statSync(path).ino;
      } catch {}
      if (cur !== -1 && cur !== ino) {
        // Rotated: finish the old file, then start on the new one.
        drain(emit);
        if (fd !== undefined) closeSync(fd);
        rest = '';
        open();
        drain(emit);
      }
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(dirname(path), (_ev, name) => {
        if (!name || name.startsWith(basename(path))) tick();
      });
      watcher.on('error', () => {});
    } catch {}
    const timer = setInterval(tick, opts.pollMs ?? 500);
    const stop = () => {
      tick();
      watcher?.close();
      clearInterval(timer);
      if (fd !== undefined) closeSync(fd);
      resolve();
    };
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Rotates PATH when it is at least `maxSize` bytes: PATH.(N-2) → PATH.(N-1)
 * … PATH → PATH.1, then asks conmon (whose ctl fifo is in `ctlDir`) to
 * reopen. With maxFiles 1, the log is only truncated by rename and dropped.
 * Returns true when it rotated.
 */
export function maybeRotate(path: string, opts: { maxSize: number; maxFiles: number; ctlDir: string }): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
  if (size < opts.maxSize) return false;
  const n = Math.max(1, opts.maxFiles);
  if (n === 1) {
    renameSync(path, `${path}.1`);
    reopenLog(opts.ctlDir);
    rmSync(`${path}.1`, { force: true });
    return true;
  }
  rmSync(`${path}.${n - 1}`, { force: true });
  for (let i = n - 2; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  renameSync(path, `${path}.1`);
  reopenLog(opts.ctlDir);
  return true;
}

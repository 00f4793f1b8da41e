import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { followLogs, type LogEntry, LogLineParser, readLogs } from './logs.ts';

const rec = (sec: number, stream: string, tag: string, text: string) =>
  `2026-11-27T17:06:${String(sec).padStart(2, '0')}.562584075+00:00 ${stream} ${tag} ${text}\n`;

test('parser joins partial records, keeps streams apart', () => {
  const p = new LogLineParser();
  assert.equal(p.push(rec(1, 'stdout', 'P', 'hel').trim()), undefined);
  assert.equal(p.push(rec(1, 'stderr', 'F', 'err').trim())?.line, 'err');
  const e = p.push(rec(2, 'stdout', 'F', 'lo world').trim())!;
  assert.equal(e.line, 'hello world');
  assert.equal(e.stream, 'stdout');
  assert.equal(e.timestamp, '2026-11-27T17:06:01.562584075+00:00');
  assert.equal(e.time.toISOString(), '2026-11-27T17:06:01.562Z');
  assert.equal(p.push('2026-11-27T17:06:02.5+00:00 stdout F ')!.line, '');
  p.push(rec(3, 'stdout', 'P', 'tail'));
  assert.deepEqual(
    p.flush().map((x) => [x.line, x.partial]),
    [['tail\n', true]],
  );
});

test('readLogs: rotated files, tail, since, until', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  try {
    const path = join(dir, 'ctr.log');
    writeFileSync(`${path}.2`, rec(1, 'stdout', 'F', 'one'));
    writeFileSync(`${path}.1`, rec(2, 'stdout', 'F', 'two') + rec(3, 'stderr', 'F', 'three'));
    writeFileSync(path, rec(4, 'stdout', 'F', 'four'));
    const all = readLogs(path, { maxFiles: 3 }).map((e) => e.line);
    assert.deepEqual(all, ['one', 'two', 'three', 'four']);
    assert.deepEqual(
      readLogs(path).map((e) => e.line),
      ['four'],
    );
    assert.deepEqual(
      readLogs(path, { maxFiles: 3, tail: 2 }).map((e) => e.line),
      ['three', 'four'],
    );
    assert.deepEqual(readLogs(path, { maxFiles: 3, tail: 0 }), []);
    const since = new Date('2026-11-27T17:06:02.000Z');
    const until = new Date('2026-11-27T17:06:04.000Z');
    assert.deepEqual(
      readLogs(path, { maxFiles: 3, since, until }).map((e) => e.line),
      ['two', 'three'],
    );
    assert.deepEqual(readLogs(join(dir, 'missing.log')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('followLogs follows appends and a rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  try {
    const path = join(dir, 'ctr.log');
    writeFileSync(path, rec(1, 'stdout', 'F', 'a') + rec(2, 'stdout', 'F', 'b'));
    const got: LogEntry[] = [];
    const ac = new AbortController();
    const done = followLogs(path, { tail: 1, maxFiles: 2, signal: ac.signal, pollMs: 50 }, (e) => got.push(e));
    assert.deepEqual(
      got.map((e) => e.line),
      ['b'],
    );
    appendFileSync(path, rec(3, 'stdout', 'P', 'c1'));
    appendFileSync(path, rec(3, 'stdout', 'F', 'c2'));
    await new Promise((r) => setTimeout(r, 150));
    // rotation: the old file gets one more line after the rename, then a new file starts
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, rec(4, 'stderr', 'F', 'd'));
    writeFileSync(path, rec(5, 'stdout', 'F', 'e'));
    await new Promise((r) => setTimeout(r, 200));
    appendFileSync(path, rec(6, 'stdout', 'F', 'f'));
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    await done;
    assert.deepEqual(
      got.map((e) => e.line),
      ['b', 'c1c2', 'd', 'e', 'f'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

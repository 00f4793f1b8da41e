/**
 * Docker's stream framing for attach, logs and exec: without a TTY each
 * chunk is framed with 8 bytes (stream id, 3 zero bytes, big-endian size);
 * with a TTY the bytes go raw.
 */
export type StreamId = 0 | 1 | 2;

export function frame(stream: StreamId, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

export function streamWriter(
  write: (b: Buffer) => void,
  tty: boolean,
): (stream: 'stdout' | 'stderr', data: Buffer) => void {
  if (tty) return (_s, d) => write(d);
  return (s, d) => write(frame(s === 'stderr' ? 2 : 1, d));
}

/** Watches stdin for the detach sequence (default ctrl-p ctrl-q); returns [bytes to pass, detached?]. */
export function detachScanner(keys: string | null): (chunk: Buffer) => [Buffer, boolean] {
  const seq = parseDetachKeys(keys ?? 'ctrl-p,ctrl-q');
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === seq[matched]) {
        matched++;
        if (matched === seq.length) return [Buffer.from(out), true];
        continue;
      }
      if (matched > 0) out.push(...seq.slice(0, matched));
      matched = b === seq[0] ? 1 : 0;
      if (matched === 0) out.push(b);
    }
    return [Buffer.from(out), false];
  };
}

export function parseDetachKeys(s: string): number[] {
  if (!s) return [];
  return s.split(',').map((k) => {
    const m = /^ctrl-(.)$/.exec(k.trim());
    if (m) {
      const c = m[1];
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      return { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c] ?? c.charCodeAt(0);
    }
    return k.trim().charCodeAt(0);
  });
}

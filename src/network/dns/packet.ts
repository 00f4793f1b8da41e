/** Just enough of the DNS wire format (RFC 1035) for the embedded resolver: one question in, A answers out. */

export interface Question {
  id: number;
  name: string;
  type: number;
  cls: number;
  /** Offset just past the question section (for copying it into answers). */
  end: number;
  rd: boolean;
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_NXDOMAIN = 3;
export const RCODE_SERVFAIL = 2;

export function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  while (off < msg.length) {
    const len = msg[off];
    if (len === 0) break;
    if (len > 63) return undefined;
    labels.push(msg.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  if (off + 5 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off + 1),
    cls: msg.readUInt16BE(off + 3),
    end: off + 5,
    rd: !!(flags & 0x0100),
  };
}

/** A response to q: the A records given (for an A question), or an rcode. */
export function answer(query: Buffer, q: Question, ips: string[], rcode = 0): Buffer {
  const withA = q.type === TYPE_A ? ips : [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q.id, 0);
  head.writeUInt16BE(0x8000 | 0x0400 | (q.rd ? 0x0100 : 0) | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(withA.length, 6);
  const rrs = withA.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(600, 6);
    rr.writeUInt16BE(4, 10);
    for (const [i, b] of ip.split('.').entries()) rr.writeUInt8(Number(b), 12 + i);
    return rr;
  });
  return Buffer.concat([head, query.subarray(12, q.end), ...rrs]);
}

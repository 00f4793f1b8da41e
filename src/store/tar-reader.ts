/**
 * A streaming tar reader: PAX (local and global), GNU long names and long
 * link names, base-256 numbers. It sees every byte of the archive (so the
 * caller can hash it, for a diffID) and insists on a proper end: an archive
 * that stops inside an entry or before its end-of-archive blocks is truncated.
 */
import { InvalidArgumentError } from '../lib/errors.ts';
import { BLOCK, decodeHeader, decodePax, entryType, isZeroBlock, padding, type TarEntry } from './tar-format.ts';

const MAX_META = 16 * 1024 * 1024;

export interface ReadTarOptions {
  /** Called with every byte of the archive, in order, including the end padding. */
  onBytes?: (chunk: Buffer) => void;
  /** Message of the error thrown when the archive ends early. */
  truncated?: string;
}

/** An entry's data: read it in chunks, or take all of it at once when it is already in memory. */
export interface TarBody extends AsyncIterable<Buffer> {
  /** All of the (unread) body, without waiting, if it is buffered already; else undefined. */
  takeBuffered(): Buffer[] | undefined;
}

class ByteReader {
  private readonly it: AsyncIterator<Buffer | string>;
  private readonly onBytes: (b: Buffer) => void;
  private chunks: Buffer[] = [];
  private avail = 0;
  total = 0;
  private eof = false;
  private readonly truncated: string;

  constructor(src: AsyncIterable<Buffer | string>, opts: ReadTarOptions) {
    this.it = src[Symbol.asyncIterator]();
    this.onBytes = opts.onBytes ?? (() => {});
    this.truncated = opts.truncated ?? 'unexpected end of tar archive';
  }

  /** Ensures `n` bytes are buffered; false at EOF before that. */
  async fill(n: number): Promise<boolean> {
    while (this.avail < n) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return false;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (b.length === 0) continue;
      this.onBytes(b);
      this.total += b.length;
      this.chunks.push(b);
      this.avail += b.length;
    }
    return true;
  }

  get buffered(): number {
    return this.avail;
  }

  /** Up to `n` buffered bytes (at least one chunk's worth must be buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length <= n) {
      this.chunks.shift();
      this.avail -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(n);
    this.avail -= n;
    return first.subarray(0, n);
  }

  async exact(n: number): Promise<Buffer> {
    if (!(await this.fill(n))) throw new InvalidArgumentError(this.truncated);
    return this.takeExact(n);
  }

  /** `n` bytes, which must be buffered. */
  takeExact(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const b = this.take(left);
      parts.push(b);
      left -= b.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  /** The next `n` bytes as a body whose unread rest `left()` tells. */
  body(n: number): { iterable: TarBody; left(): number } {
    let left = n;
    const next = async (): Promise<IteratorResult<Buffer>> => {
      if (left === 0) return { done: true, value: undefined };
      if (this.avail === 0 && !(await this.fill(1))) throw new InvalidArgumentError(this.truncated);
      const b = this.take(left);
      left -= b.length;
      return { done: false, value: b };
    };
    const takeBuffered = (): Buffer[] | undefined => {
      if (this.avail < left) return undefined;
      const parts: Buffer[] = [];
      while (left > 0) {
        const b = this.take(left);
        parts.push(b);
        left -= b.length;
      }
      return parts;
    };
    return { iterable: { [Symbol.asyncIterator]: () => ({ next }), takeBuffered }, left: () => left };
  }

  async skip(n: number): Promise<void> {
    if (this.avail >= n) {
      this.skipBuffered(n);
      return;
    }
    let left = n;
    while (left > 0) {
      if (this.avail === 0 && !(await this.fill(1))) throw new InvalidArgumentError(this.truncated);
      left -= this.take(left).length;
    }
  }

  /** Drops `n` bytes, which must be buffered. */
  skipBuffered(n: number): void {
    let left = n;
    while (left > 0) left -= this.take(left).length;
  }

  /** Reads (and reports) everything up to EOF. */
  async drain(): Promise<void> {
    while (await this.fill(this.avail + 1)) {
      this.chunks = [];
      this.avail = 0;
    }
  }
}

function text(b: Buffer | undefined): string | undefined {
  return b === undefined ? undefined : b.toString('utf8');
}

function paxNumber(pax: Map<string, Buffer>, key: string, fallback: number): number {
  const v = text(pax.get(key));
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`invalid PAX ${key} "${v}"`);
  return n;
}

/**
 * Reads a tar archive, calling `onEntry` for each entry with its body. A body
 * not consumed by `onEntry` is skipped.
 */
export async function readTar(
  src: AsyncIterable<Buffer | string>,
  onEntry: (entry: TarEntry, body: TarBody) => Promise<void>,
  opts: ReadTarOptions = {},
): Promise<void> {
  const r = new ByteReader(src, opts);
  let global = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    // most headers are buffered already: no await for them (a promise per await adds up over 10,000 entries)
    if (r.buffered < BLOCK && !(await r.fill(BLOCK))) {
      if (r.total === 0) return; // an empty stream is an empty archive
      throw new InvalidArgumentError(opts.truncated ?? 'unexpected end of tar archive');
    }
    const block = r.takeExact(BLOCK);
    if (isZeroBlock(block)) {
      // end of archive: a second zero block should follow; anything after is padding
      if (await r.fill(BLOCK)) await r.exact(BLOCK);
      await r.drain();
      return;
    }
    const h = decodeHeader(block);
    if (h.flag === 'x' || h.flag === 'g' || h.flag === 'L' || h.flag === 'K') {
      if (h.size > MAX_META) throw new InvalidArgumentError(`tar meta entry of ${h.size} bytes is too large`);
      const body = r.buffered >= h.size ? r.takeExact(h.size) : await r.exact(h.size);
      await r.skip(padding(h.size));
      if (h.flag === 'x') pax = decodePax(body);
      else if (h.flag === 'g') global = new Map([...global, ...decodePax(body)]);
      else {
        const s = body.toString('utf8').replace(/\0+$/, '');
        if (h.flag === 'L') longName = s;
        else longLink = s;
      }
      continue;
    }
    const p = pax ? (global.size ? new Map([...global, ...pax]) : pax) : global;
    const name = text(p.get('path')) ?? longName ?? h.name;
    const linkname = text(p.get('linkpath')) ?? longLink ?? h.linkname;
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    const type = entryType(h.flag, name);
    // as in Go's archive/tar, only regular files carry data
    const size = type === 'file' ? paxNumber(p, 'size', h.size) : 0;
    const xattrs = new Map<string, Buffer>();
    for (const [k, v] of p) if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice(13), v);
    const entry: TarEntry = {
      name,
      type,
      mode: h.mode,
      uid: paxNumber(p, 'uid', h.uid),
      gid: paxNumber(p, 'gid', h.gid),
      size,
      mtime: paxNumber(p, 'mtime', h.mtime),
      linkname,
      devmajor: h.devmajor,
      devminor: h.devminor,
      xattrs,
    };
    const body = r.body(size);
    await onEntry(entry, body.iterable);
    const rest = body.left() + padding(size);
    if (r.buffered >= rest) r.skipBuffered(rest);
    else await r.skip(rest);
  }
}

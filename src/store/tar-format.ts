/**
 * The tar format (POSIX ustar + PAX, reading GNU long names too): 512-byte
 * headers, PAX records, numeric fields. Shared by the reader and the writer.
 * PAX values are kept as bytes, so binary xattrs (security.capability) survive.
 */
import { InvalidArgumentError } from '../lib/errors.ts';

export const BLOCK = 512;

export type EntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch, may carry a fraction (PAX). */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*`. */
  xattrs: Map<string, Buffer>;
}

const TYPE_FLAGS: Record<EntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/** The raw fields of one header block. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  flag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function readString(b: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return b.toString('utf8', off, end);
}

/** Octal (NUL/space padded) or GNU base-256 (high bit set); read from the bytes, no strings made. */
function readNumber(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    let n = b[off] & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i];
    return n;
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++; // padding, as Go's archive/tar trims it
  let n = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    const c = b[i];
    if (c !== 0 && c !== 0x20) {
      throw new InvalidArgumentError(`invalid tar header: bad number field (not a tar archive?)`);
    }
  }
  return digits === 0 ? 0 : n;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
  return sum;
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

export function decodeHeader(b: Buffer): RawHeader {
  const stored = readNumber(b, 148, 8);
  if (stored !== checksum(b))
    throw new InvalidArgumentError('invalid tar header: checksum mismatch (not a tar archive?)');
  let name = readString(b, 0, 100);
  // POSIX ustar ("ustar\0") has a name prefix; old GNU ("ustar  ") keeps other fields there.
  if (b.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = readString(b, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = b[156] === 0 ? '0' : String.fromCharCode(b[156]);
  return {
    name,
    mode: readNumber(b, 100, 8),
    uid: readNumber(b, 108, 8),
    gid: readNumber(b, 116, 8),
    size: readNumber(b, 124, 12),
    mtime: readNumber(b, 136, 12),
    flag,
    linkname: readString(b, 157, 100),
    devmajor: readNumber(b, 329, 8),
    devminor: readNumber(b, 337, 8),
  };
}

/** Entry type of a header flag; undefined for the meta types (x, g, L, K). */
export function entryType(flag: string, name: string): EntryType {
  switch (flag) {
    case '0':
    case '7':
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'link';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      throw new InvalidArgumentError(`unsupported tar entry type "${flag}" for "${name}"`);
  }
}

/** Parses PAX records (`LEN key=value\n`); values stay bytes. */
export function decodePax(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < b.length) {
    if (b[off] === 0) break;
    const sp = b.indexOf(0x20, off);
    if (sp < 0) throw new InvalidArgumentError('invalid PAX header');
    const len = Number.parseInt(b.toString('latin1', off, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || off + len > b.length) throw new InvalidArgumentError('invalid PAX record');
    const rec = b.subarray(sp + 1, off + len - 1); // without the trailing \n
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new InvalidArgumentError('invalid PAX record');
    out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)));
    off += len;
  }
  return out;
}

export function encodePaxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

function writeOctal(b: Buffer, off: number, len: number, n: number): void {
  b.write(`${n.toString(8).padStart(len - 1, '0')}\0`, off, len, 'latin1');
}

/** Header block(s) for an entry: a PAX header first when a field does not fit ustar. */
export function encodeHeader(e: TarEntry): Buffer {
  const pax: Buffer[] = [];
  let name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  let prefix = '';
  const nameBytes = Buffer.byteLength(name);
  if (nameBytes > 100) {
    // try the ustar prefix split (ASCII names only, so byte and char indexes agree)
    const i = nameBytes === name.length ? name.lastIndexOf('/', name.length - 2) : -1;
    const cut = findSplit(name, i);
    if (cut >= 0) {
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    } else {
      pax.push(encodePaxRecord('path', name));
      name = name.slice(0, 99);
    }
  }
  let linkname = e.linkname;
  if (Buffer.byteLength(linkname) > 100) {
    pax.push(encodePaxRecord('linkpath', linkname));
    linkname = linkname.slice(0, 99);
  }
  const nums: Array<[string, number, number]> = [
    ['uid', e.uid, MAX_OCTAL_8],
    ['gid', e.gid, MAX_OCTAL_8],
    ['size', e.size, MAX_OCTAL_12],
  ];
  for (const [k, v, max] of nums) if (v > max) pax.push(encodePaxRecord(k, String(v)));
  for (const k of [...e.xattrs.keys()].sort()) pax.push(encodePaxRecord(`SCHILY.xattr.${k}`, e.xattrs.get(k)!));

  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, e.mode & 0o7777);
  writeOctal(h, 108, 8, Math.min(e.uid, MAX_OCTAL_8));
  writeOctal(h, 116, 8, Math.min(e.gid, MAX_OCTAL_8));
  writeOctal(h, 124, 12, e.size > MAX_OCTAL_12 ? 0 : e.size);
  writeOctal(h, 136, 12, Math.max(0, Math.floor(e.mtime)));
  h.write(TYPE_FLAGS[e.type], 156, 1, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\x0000', 257, 8, 'latin1');
  writeOctal(h, 329, 8, e.devmajor);
  writeOctal(h, 337, 8, e.devminor);
  h.write(prefix, 345, 155, 'utf8');
  writeOctal(h, 148, 7, checksum(h));
  h[155] = 0x20;
  if (pax.length === 0) return h;

  const body = Buffer.concat(pax);
  const ph = Buffer.alloc(BLOCK);
  ph.write(`PaxHeaders/${name}`.slice(0, 99), 0, 100, 'utf8');
  writeOctal(ph, 100, 8, 0o644);
  writeOctal(ph, 108, 8, 0);
  writeOctal(ph, 116, 8, 0);
  writeOctal(ph, 124, 12, body.length);
  writeOctal(ph, 136, 12, Math.max(0, Math.floor(e.mtime)));
  ph.write('x', 156, 1, 'latin1');
  ph.write('ustar\x0000', 257, 8, 'latin1');
  writeOctal(ph, 148, 7, checksum(ph));
  ph[155] = 0x20;
  return Buffer.concat([ph, body, Buffer.alloc(padding(body.length)), h]);
}

/** Index of a '/' that splits `name` into prefix (≤155) and name (≤100), or -1. */
function findSplit(name: string, last: number): number {
  for (let i = last; i > 0; i = name.lastIndexOf('/', i - 1)) {
    if (i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return i;
    if (name.length - i - 1 > 100) break;
  }
  return -1;
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** End of archive: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

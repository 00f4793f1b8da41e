/**
 * The storage driver: a flat key space of byte objects ("a/b/c"), the only
 * thing the registry asks of its backend. Shaped after what object storage
 * can do — no rename guarantees beyond "dst appears whole", no locks, no
 * partial overwrite — so that an S3 driver fits without change:
 *   - putContent/move make an object appear whole or not at all;
 *   - writers append to an object (S3: multipart parts) and can be cancelled,
 *     discarding only what that writer added;
 *   - list returns the immediate children of a prefix, like a delimiter list.
 */
export interface StatInfo {
  size: number;
  /** Milliseconds since the epoch of the last write. */
  modTime: number;
  /** True for a prefix that has children (a "directory"). */
  isDir: boolean;
}

export interface ByteRange {
  start: number;
  /** Inclusive; to the end when absent. */
  end?: number;
}

/** Takes one chunk; the caller may reuse the chunk's memory once the promise settles. */
export type ChunkSink = (chunk: Uint8Array) => Promise<void>;

/** An append-only writer to one object (an upload's data). */
export interface FileWriter {
  /** Total size of the object: what existed before plus what this writer wrote. */
  readonly size: number;
  /** The chunk may be reused by the caller once the promise settles (copy what must be kept). */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes what was written durable and closes the writer. */
  commit(): Promise<void>;
  /** Discards what this writer wrote (the object returns to its size at open) and closes it. */
  cancel(): Promise<void>;
}

export interface StorageDriver {
  readonly name: string;
  /** The whole object; NotFoundError when missing. For small objects. */
  getContent(key: string): Promise<Buffer>;
  /** Writes a whole object atomically. */
  putContent(key: string, data: Uint8Array): Promise<void>;
  /**
   * Reads the object or a byte range of it, one chunk at a time: `sink` gets
   * each chunk, and the chunk is only valid until its promise settles (the
   * driver reuses the buffer, so that streaming a blob allocates nothing).
   * NotFoundError when missing.
   */
  read(key: string, range: ByteRange | undefined, sink: ChunkSink): Promise<void>;
  /** Opens an append writer; `append` false starts the object empty. */
  writer(key: string, append: boolean): Promise<FileWriter>;
  stat(key: string): Promise<StatInfo | undefined>;
  /** Names of the immediate children of a prefix, sorted; [] when none. */
  list(prefix: string): Promise<string[]>;
  /** Moves an object; dst is replaced and appears whole. NotFoundError when src is missing. */
  move(src: string, dst: string): Promise<void>;
  /** Deletes an object or everything under a prefix; missing is fine. */
  delete(key: string): Promise<void>;
}

/**
 * The store: content-addressed blobs, overlay snapshots, layer apply and
 * diff, tar reading and writing, garbage collection, metadata database.
 */
export * from './content.ts';
export * from './db.ts';
export * from './decompress.ts';
export * from './gc.ts';
export * from './layer-apply.ts';
export * from './layer-diff.ts';
export { cleanEntryPath } from './layer-path.ts';
export * from './mount.ts';
export * from './snapshots.ts';
export * from './tar-format.ts';
export * from './tar-reader.ts';
export * from './tar-writer.ts';
export type * from './types.ts';

/**
 * Keeps memory flat while blobs stream in. Node copies every request body
 * chunk (up to 64 KiB) into a buffer of its own; V8 frees those only when a
 * GC runs, and its GCs follow JS heap allocation, not the bytes these
 * buffers hold, so a 100 MiB push can leave tens of MiB of dead chunks (and
 * glibc keeps the memory once it has it). With `--expose-gc` (bin/berth
 * starts `berth registry` so), a minor GC every 4 MiB received frees the
 * chunks that died young, and a full GC every 64 MiB the few that lived long
 * enough to be promoted. The registry's heap is small (~10 MiB): a scavenge
 * takes well under 1 ms, a full GC a few ms, so this costs about 1% of a push.
 */
const MINOR_EVERY = 4 * 1024 * 1024;
const MAJOR_EVERY = 64 * 1024 * 1024;
const gc = (globalThis as { gc?: (o: { type: 'minor' | 'major' }) => void }).gc;
let sinceMinor = 0;
let sinceMajor = 0;

/** Counts bytes received from clients; collects the dead chunks now and then. */
export function countReceived(bytes: number): void {
  if (!gc) return;
  sinceMinor += bytes;
  sinceMajor += bytes;
  if (sinceMajor >= MAJOR_EVERY) {
    sinceMajor = 0;
    sinceMinor = 0;
    gc({ type: 'major' });
  } else if (sinceMinor >= MINOR_EVERY) {
    sinceMinor = 0;
    gc({ type: 'minor' });
  }
}

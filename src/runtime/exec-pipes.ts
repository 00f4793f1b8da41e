/**
 * Real pipes (not socket pairs) for a process the daemon spawns: Node's
 * `stdio: 'pipe'` gives the child sockets, and a program that opens
 * /dev/stdout or /dev/stderr then fails (ENXIO), as it never does under
 * Docker or conmon. A fifo made and unlinked at once is a pipe: the
 * daemon keeps one end (non-blocking, on Node's loop), the child gets the
 * other (blocking, as programs expect).
 */
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { native } from '../sys/native.ts';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;

export interface ChildPipe {
  /** The child's end, to pass in `stdio`; close it (closeChildEnd) once spawned. */
  childFd: number;
  /** The daemon's end, a stream on Node's loop. */
  stream: Socket;
}

/** A pipe the child writes (its stdout or stderr) and the daemon reads. */
export function outputPipe(path: string): ChildPipe {
  native().mkfifo(path, 0o600);
  try {
    const readFd = openSync(path, O_RDONLY | O_NONBLOCK);
    const childFd = openSync(path, O_WRONLY); // a reader exists: does not block
    return { childFd, stream: new Socket({ fd: readFd, readable: true, writable: false }) };
  } finally {
    unlinkSync(path);
  }
}

/** A pipe the daemon writes and the child reads (its stdin). */
export function inputPipe(path: string): ChildPipe {
  native().mkfifo(path, 0o600);
  try {
    const probe = openSync(path, O_RDONLY | O_NONBLOCK); // lets the writer open without blocking
    const writeFd = openSync(path, O_WRONLY | O_NONBLOCK);
    const childFd = openSync(path, O_RDONLY); // a writer exists: does not block; blocking reads for the child
    closeSync(probe);
    return { childFd, stream: new Socket({ fd: writeFd, readable: false, writable: true }) };
  } finally {
    unlinkSync(path);
  }
}

export function closeChildEnd(p: ChildPipe | undefined): void {
  if (p) closeSync(p.childFd);
}

/** How a failed berth command reports itself: docker's wording, exit code 1. */
import { ApiError, DaemonUnreachableError } from '../client/errors.ts';

export function reportError(e: unknown): void {
  if (e instanceof ApiError) process.stderr.write(`Error response from daemon: ${e.message}\n`);
  else if (e instanceof DaemonUnreachableError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`berth: ${(e as Error).message}\n`);
  process.exitCode = 1;
}

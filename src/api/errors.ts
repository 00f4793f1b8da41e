/** The one place where domain errors become HTTP statuses. */
import type { ErrorKind } from '../lib/errors.ts';
import { isBerthError } from '../lib/errors.ts';

const STATUS: Record<ErrorKind, number> = {
  NotFound: 404,
  Conflict: 409,
  InvalidArgument: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotImplemented: 501,
  NotModified: 304,
  Unavailable: 503,
  Internal: 500,
};

export function statusOf(e: unknown): number {
  if (isBerthError(e)) return STATUS[e.kind];
  return 500;
}

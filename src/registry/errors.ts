/**
 * The error codes of the OCI Distribution Spec, their HTTP statuses, and the
 * one place where any thrown error becomes a `{"errors":[…]}` response.
 */
import { type BerthError, isBerthError } from '../lib/errors.ts';

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'UNAVAILABLE';

const MESSAGES: Record<ErrorCode, string> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
  RANGE_INVALID: 'requested range not satisfiable',
  UNAVAILABLE: 'service unavailable',
};

/** An error with its wire code and HTTP status, thrown by handlers and the store. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers (Range, Location, WWW-Authenticate…). */
  headers: Record<string, string> = {};
  constructor(code: ErrorCode, status: number, message?: string, detail?: unknown) {
    super(message ?? MESSAGES[code]);
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
  withHeaders(h: Record<string, string>): this {
    Object.assign(this.headers, h);
    return this;
  }
}

export const blobUnknown = (digest: string) => new RegistryError('BLOB_UNKNOWN', 404, undefined, { digest });
export const manifestUnknown = (reference: string) =>
  new RegistryError('MANIFEST_UNKNOWN', 404, undefined, { reference });
export const nameUnknown = (name: string) => new RegistryError('NAME_UNKNOWN', 404, undefined, { name });
export const uploadUnknown = (uuid: string) => new RegistryError('BLOB_UPLOAD_UNKNOWN', 404, undefined, { uuid });
export const digestInvalid = (message?: string, detail?: unknown) =>
  new RegistryError('DIGEST_INVALID', 400, message, detail);
export const manifestInvalid = (message: string, detail?: unknown) =>
  new RegistryError('MANIFEST_INVALID', 400, message, detail);
export const unsupported = (message?: string) => new RegistryError('UNSUPPORTED', 405, message);

const KIND_STATUS: Record<string, [ErrorCode, number]> = {
  NotFound: ['NAME_UNKNOWN', 404],
  InvalidArgument: ['MANIFEST_INVALID', 400],
  Unauthorized: ['UNAUTHORIZED', 401],
  Forbidden: ['DENIED', 403],
  NotImplemented: ['UNSUPPORTED', 405],
  Unavailable: ['UNAVAILABLE', 503],
};

/** Any error → a RegistryError; unknown errors become 500. */
export function toRegistryError(e: unknown): RegistryError {
  if (e instanceof RegistryError) return e;
  if (isBerthError(e) && (e as BerthError).kind in KIND_STATUS) {
    const [code, status] = KIND_STATUS[(e as BerthError).kind];
    return new RegistryError(code, status, (e as BerthError).message);
  }
  const r = new RegistryError('UNAVAILABLE', 500, 'internal server error');
  (r as { cause?: unknown }).cause = e;
  return r;
}

export function errorBody(e: RegistryError): string {
  return JSON.stringify({ errors: [{ code: e.code, message: e.message, detail: e.detail ?? null }] });
}

/**
 * Typed errors thrown by the domain. Each edge (API server, CLI, registry)
 * maps the `kind` to its own status or exit code in exactly one place.
 */
export type ErrorKind =
  | 'NotFound'
  | 'Conflict'
  | 'InvalidArgument'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotImplemented'
  | 'NotModified'
  | 'Unavailable'
  | 'Internal';

export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

export class NotFoundError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}
export class ConflictError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options);
  }
}
export class InvalidArgumentError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArgument', message, options);
  }
}
export class UnauthorizedError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unauthorized', message, options);
  }
}
export class ForbiddenError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Forbidden', message, options);
  }
}
export class NotImplementedError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotImplemented', message, options);
  }
}
export class NotModifiedError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotModified', message, options);
  }
}
export class UnavailableError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unavailable', message, options);
  }
}
export class InternalError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Internal', message, options);
  }
}

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}

/** The errno code of a Node system error, or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}

export function isNotFound(e: unknown): boolean {
  return errnoCode(e) === 'ENOENT' || (e instanceof BerthError && e.kind === 'NotFound');
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

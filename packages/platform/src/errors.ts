/**
 * Named domain errors. Domain code throws these; the gRPC edge maps them to a
 * status in one place (grpc/error-mapping.ts). Nothing here knows about transports.
 */
export interface FieldViolation {
  field: string;
  description: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'invalid_argument'
    | 'not_found'
    | 'already_exists'
    | 'failed_precondition'
    | 'permission_denied'
    | 'unauthenticated'
    | 'conflict'
    | 'unavailable'
    | 'resource_exhausted';
}

export class InvalidArgumentError extends DomainError {
  readonly kind = 'invalid_argument' as const;
  constructor(readonly violations: FieldViolation[], message?: string) {
    super(message ?? violations.map((v) => `${v.field}: ${v.description}`).join('; '));
    this.name = 'InvalidArgumentError';
  }
  static field(field: string, description: string): InvalidArgumentError {
    return new InvalidArgumentError([{ field, description }]);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
  constructor(readonly resourceType: string, readonly resourceName: string, message?: string) {
    super(message ?? `${resourceType} "${resourceName}" not found`);
    this.name = 'NotFoundError';
  }
}

export class AlreadyExistsError extends DomainError {
  readonly kind = 'already_exists' as const;
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyExistsError';
  }
}

export class FailedPreconditionError extends DomainError {
  readonly kind = 'failed_precondition' as const;
  constructor(message: string, readonly reason = 'FAILED_PRECONDITION') {
    super(message);
    this.name = 'FailedPreconditionError';
  }
}

export class PermissionDeniedError extends DomainError {
  readonly kind = 'permission_denied' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PermissionDeniedError';
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** A compare-and-set lost against a concurrent writer; the caller may retry. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/** A rate limit is exhausted: retry after `retryAfterMs`. `scope` names the limit (e.g. "write per tenant"). */
export class RateLimitedError extends DomainError {
  readonly kind = 'resource_exhausted' as const;
  constructor(
    readonly scope: string,
    readonly retryAfterMs: number,
  ) {
    super(`rate limit exceeded (${scope}); retry in ${Math.ceil(retryAfterMs)} ms`);
    this.name = 'RateLimitedError';
  }
}

// Transport-free entry for domain code: `import { NotFoundError } from '@assent/platform/errors'`.
export {
  AlreadyExistsError,
  ConflictError,
  DomainError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from './errors.js';
export type { FieldViolation } from './errors.js';

import { ClientError, Status } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import {
  AlreadyExistsError,
  ConflictError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
} from '../errors.js';

/**
 * Maps an error from a call to another Assent service back into a domain error,
 * so a NOT_FOUND from authz surfaces as NOT_FOUND from approvals, with the same
 * field violations. Transport failures become UnavailableError.
 */
export function fromClientError(err: unknown, service: string): unknown {
  if (!(err instanceof ClientError)) return err;
  const msg = err.details;
  switch (err.code) {
    case Status.INVALID_ARGUMENT: {
      const bad = err instanceof RichClientError ? (err.extra.find((d) => d.$type === BadRequest.$type) as BadRequest | undefined) : undefined;
      return new InvalidArgumentError(bad?.fieldViolations.map((v) => ({ field: v.field, description: v.description })) ?? [], msg);
    }
    case Status.NOT_FOUND:
      return new NotFoundError('resource', '', msg);
    case Status.ALREADY_EXISTS:
      return new AlreadyExistsError(msg);
    case Status.FAILED_PRECONDITION:
      return new FailedPreconditionError(msg);
    case Status.PERMISSION_DENIED:
      return new PermissionDeniedError(msg);
    case Status.UNAUTHENTICATED:
      // Our own identity was rejected: an operator problem, not the caller's.
      return new UnavailableError(`${service} rejected this service's credentials: ${msg}`, { cause: err });
    case Status.ABORTED:
      return new ConflictError(msg);
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
    case Status.RESOURCE_EXHAUSTED:
      return new UnavailableError(`${service} unavailable: ${msg}`, { cause: err });
    default:
      return err;
  }
}

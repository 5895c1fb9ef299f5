import { ServerError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, ResourceInfo, RichServerError } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { DomainError } from '../errors.js';

/**
 * The one place domain errors become gRPC statuses. Field problems travel as
 * google.rpc.BadRequest details; unknown errors are logged with their stack and
 * the caller sees only INTERNAL.
 */
export function toServerError(err: unknown, logger: Logger, method: string): ServerError {
  if (err instanceof ServerError) return err;
  if (err instanceof DomainError) {
    switch (err.kind) {
      case 'invalid_argument':
        return new RichServerError(Status.INVALID_ARGUMENT, err.message, [
          BadRequest.fromPartial({
            fieldViolations: (err as DomainError & { violations: { field: string; description: string }[] }).violations,
          }),
        ]);
      case 'not_found': {
        const e = err as DomainError & { resourceType: string; resourceName: string };
        return new RichServerError(Status.NOT_FOUND, err.message, [
          ResourceInfo.fromPartial({ resourceType: e.resourceType, resourceName: e.resourceName }),
        ]);
      }
      case 'already_exists':
        return new ServerError(Status.ALREADY_EXISTS, err.message);
      case 'failed_precondition':
        return new RichServerError(Status.FAILED_PRECONDITION, err.message, [
          ErrorInfo.fromPartial({ reason: (err as DomainError & { reason: string }).reason, domain: 'assent' }),
        ]);
      case 'permission_denied':
        return new ServerError(Status.PERMISSION_DENIED, err.message);
      case 'unauthenticated':
        return new ServerError(Status.UNAUTHENTICATED, err.message);
      case 'conflict':
        return new ServerError(Status.ABORTED, err.message);
      case 'unavailable':
        logger.warn({ err, method }, 'dependency unavailable');
        return new ServerError(Status.UNAVAILABLE, err.message);
    }
  }
  logger.error({ err, method }, 'unhandled error');
  return new ServerError(Status.INTERNAL, 'internal error');
}

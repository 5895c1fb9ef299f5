import { ServerError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, QuotaFailure, ResourceInfo, RetryInfo, RichServerError } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { DomainError, type RateLimitedError } from '../errors.js';

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
      case 'resource_exhausted': {
        // RetryInfo is what gRPC clients (and assentctl) read to back off.
        const e = err as RateLimitedError;
        const ms = Math.max(1, Math.ceil(e.retryAfterMs));
        return new RichServerError(Status.RESOURCE_EXHAUSTED, err.message, [
          RetryInfo.fromPartial({ retryDelay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 } }),
          QuotaFailure.fromPartial({ violations: [{ subject: e.scope, description: err.message }] }),
        ]);
      }
      case 'unavailable':
        logger.warn({ err, method }, 'dependency unavailable');
        return new ServerError(Status.UNAVAILABLE, err.message);
    }
  }
  logger.error({ err, method }, 'unhandled error');
  return new ServerError(Status.INTERNAL, 'internal error');
}

/**
 * The gRPC status name a domain error kind maps to, for results that carry a
 * refusal per item (bulk actions, BatchCheck) instead of failing the call.
 */
export function statusNameOf(kind: string): string {
  const names: Record<string, string> = {
    invalid_argument: 'INVALID_ARGUMENT',
    not_found: 'NOT_FOUND',
    already_exists: 'ALREADY_EXISTS',
    failed_precondition: 'FAILED_PRECONDITION',
    permission_denied: 'PERMISSION_DENIED',
    unauthenticated: 'UNAUTHENTICATED',
    conflict: 'ABORTED',
    resource_exhausted: 'RESOURCE_EXHAUSTED',
    unavailable: 'UNAVAILABLE',
  };
  return names[kind] ?? 'UNKNOWN';
}

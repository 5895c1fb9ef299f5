import { PermissionDeniedError, type Principal } from '@assent/platform/domain';

/** Service-only RPCs (the approvals service writes grants and registers actions). */
export function requireTrustedService(trusted: string[], caller: Principal, what: string): void {
  if (caller.kind !== 'service' || !trusted.includes(caller.subject)) {
    throw new PermissionDeniedError(`${what} is reserved for trusted services; ${caller.subject} is not one`);
  }
}

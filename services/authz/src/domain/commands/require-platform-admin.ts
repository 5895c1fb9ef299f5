import { PermissionDeniedError, hasRole, type Principal } from '@assent/platform/domain';

/** RPCs that change what every tenant's decisions are made with (the authorization model). */
export function requirePlatformAdmin(caller: Principal, what: string): void {
  if (!hasRole(caller, 'platform-admin')) throw new PermissionDeniedError(`${what} needs the platform-admin role; ${caller.subject} does not have it`);
}

import { PermissionDeniedError, Violations, hasRole, type Principal } from '@assent/platform/domain';
import { eventTypes, tenantCreatedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { Tenant } from '../types.js';
import { PLATFORM_TENANT } from '../model-events.js';

/**
 * Platform admins (role "platform-admin") and services create tenants. Idempotent.
 * Every call is published for audit with who made it (created says whether this one
 * did), so a retry after a failed publish still leaves a record.
 */
export async function createTenant(deps: AuthzDeps, caller: Principal, input: { id: string; displayName: string }): Promise<{ tenant: Tenant; created: boolean }> {
  const v = new Violations().check('id', input.id, 'tenant');
  if (input.id === PLATFORM_TENANT) v.add('id', `"${PLATFORM_TENANT}" is reserved for platform-wide events`);
  if (input.displayName.length > 200) v.add('display_name', 'must be at most 200 characters');
  v.throwIfAny();
  if (caller.kind !== 'service' && !hasRole(caller, 'platform-admin')) throw new PermissionDeniedError('creating tenants needs the platform-admin role');
  const outcome = await deps.tenants.create({ id: input.id, displayName: input.displayName || input.id, createdAt: deps.clock.now() });
  await deps.events.emit(
    deps.eventFactory.create({ type: eventTypes.tenantCreated, subject: `tenant/${input.id}`, tenant: input.id, data: tenantCreatedData(outcome.tenant, outcome.created, caller.subject) }),
  );
  return outcome;
}

import { NotFoundError, PermissionDeniedError, Violations, type Principal } from '@assent/platform/domain';
import { eventTypes, grantIssuedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { Grant } from '../types.js';
import { requireTenant } from './require-tenant.js';
import { requireTrustedService } from './require-service.js';

const MAX_GRANT_SECONDS = 30 * 24 * 3600;

/**
 * Writes the time-bounded grant for an approved request. Idempotent per request:
 * the event id derives from the request id, so a retried call publishes once.
 */
export async function writeGrant(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; principal: string; action: string; resource: string; durationSeconds: number; requestId: string },
): Promise<Grant> {
  const v = new Violations()
    .check('tenant', input.tenant, 'tenant')
    .check('principal', input.principal, 'user')
    .check('action', input.action, 'action')
    .check('resource', input.resource, 'resource')
    .check('request_id', input.requestId, 'id');
  if (!Number.isInteger(input.durationSeconds) || input.durationSeconds <= 0 || input.durationSeconds > MAX_GRANT_SECONDS) {
    v.add('duration_seconds', `must be between 1 and ${MAX_GRANT_SECONDS}`);
  }
  v.throwIfAny();
  requireTrustedService(deps.trustedServices, caller, 'WriteGrant');
  await requireTenant(deps.tenants, input.tenant);
  if (!(await deps.actions.get(input.tenant, input.action))) throw new NotFoundError('action', input.action);
  if (!(await deps.relations.isMember(input.tenant, input.principal))) {
    throw new PermissionDeniedError(`${input.principal} is not a member of tenant ${input.tenant}`);
  }
  const grantedAt = deps.clock.now();
  const grant: Grant = {
    tenant: input.tenant,
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    grantedAt,
    expiresAt: new Date(grantedAt.getTime() + input.durationSeconds * 1000),
    requestId: input.requestId,
  };
  await deps.relations.writeGrant(grant);
  await deps.events.emit(
    deps.eventFactory.create({
      type: eventTypes.grantIssued,
      subject: `grant/${input.requestId}`,
      tenant: input.tenant,
      data: grantIssuedData(grant),
      id: `grant-${input.requestId}`,
    }),
  );
  return grant;
}

import { InvalidArgumentError, PermissionDeniedError, Violations, type Principal } from '@assent/platform/domain';
import { eventTypes, grantIssuedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { Grant } from '../types.js';
import { grantKey } from '../grant-key.js';
import { requireAction } from './require-action.js';
import { requireTenant } from './require-tenant.js';
import { requireTrustedService } from './require-service.js';

const MAX_GRANT_SECONDS = 30 * 24 * 3600;

/**
 * Writes the time-bounded grant for an approved request. Idempotent per request:
 * the window starts at `grantedAt` (the approval's decision time), so a retried
 * call writes the identical tuple, and the event id derives from the request id,
 * so it publishes once. Without `grantedAt` the grant starts now.
 */
export async function writeGrant(
  deps: AuthzDeps,
  caller: Principal,
  input: {
    tenant: string;
    principal: string;
    action: string;
    resource: string;
    durationSeconds: number;
    requestId: string;
    grantedAt?: Date | undefined;
    /** The protection condition the request was approved under ("" when the action has none). */
    condition?: string;
  },
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
  if (input.grantedAt && Number.isNaN(input.grantedAt.getTime())) v.add('granted_at', 'must be a valid timestamp');
  v.throwIfAny();
  requireTrustedService(deps.trustedServices, caller, 'WriteGrant');
  await requireTenant(deps.tenants, input.tenant);
  const action = await requireAction(deps.actions, input.tenant, input.action);
  const condition = input.condition ?? '';
  if (condition && !action.conditions.some((c) => c.name === condition)) {
    throw InvalidArgumentError.field('condition', `"${condition}" is not a protection condition of ${input.action} (${action.conditions.map((c) => c.name).join(', ') || 'it has none'})`);
  }
  if (!(await deps.relations.isMember(input.tenant, input.principal))) {
    throw new PermissionDeniedError(`${input.principal} is not a member of tenant ${input.tenant}`);
  }
  const grantedAt = input.grantedAt ?? deps.clock.now();
  const grant: Grant = {
    tenant: input.tenant,
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    grantedAt,
    expiresAt: new Date(grantedAt.getTime() + input.durationSeconds * 1000),
    requestId: input.requestId,
    condition,
  };
  // Named first, so a grant that exists can always be listed by what it is about.
  await deps.grantCatalog.record(grant.tenant, grantKey(grant.action, grant.resource, grant.condition), {
    action: grant.action,
    resource: grant.resource,
    condition: grant.condition,
  });
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

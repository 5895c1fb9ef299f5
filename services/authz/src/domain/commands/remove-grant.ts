import { InvalidArgumentError, Violations, type Principal } from '@assent/platform/domain';
import { eventTypes, grantIssuedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import { requireTrustedService } from './require-service.js';

export interface RemoveGrantInput {
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  requestId: string;
  grantedAt: Date | undefined;
  expiresAt: Date | undefined;
  why: string;
  revokedBy: string;
  reason: string;
  /** As WriteGrant's: the protection condition the grant was approved under. */
  condition?: string;
}

/**
 * Removes one request's grant, revoked early or ended: only the grant that started at
 * `grantedAt`, so a later grant for the same resource stays. Idempotent: the event's
 * id derives from the request id and the why, so a retry publishes it once.
 */
export async function removeGrant(deps: AuthzDeps, caller: Principal, input: RemoveGrantInput): Promise<{ removed: boolean }> {
  const v = new Violations()
    .check('tenant', input.tenant, 'tenant')
    .check('principal', input.principal, 'user')
    .check('action', input.action, 'action')
    .check('resource', input.resource, 'resource')
    .check('request_id', input.requestId, 'id');
  if (!input.grantedAt) v.add('granted_at', 'is required');
  if (input.why !== 'revoked' && input.why !== 'ended') v.add('why', 'must be "revoked" or "ended"');
  v.throwIfAny();
  if (input.why === 'revoked' && !input.revokedBy) throw InvalidArgumentError.field('revoked_by', 'is required for a revocation');
  requireTrustedService(deps.trustedServices, caller, 'RemoveGrant');
  const grantedAt = input.grantedAt as Date;
  const condition = input.condition ?? '';
  const removed = await deps.relations.removeGrant(input.tenant, input.principal, input.action, input.resource, grantedAt, condition);
  const grant = {
    tenant: input.tenant,
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    grantedAt,
    expiresAt: input.expiresAt ?? grantedAt,
    requestId: input.requestId,
    condition,
  };
  await deps.events.emit(
    deps.eventFactory.create({
      type: input.why === 'revoked' ? eventTypes.grantRevoked : eventTypes.grantEnded,
      subject: `grant/${input.requestId}`,
      tenant: input.tenant,
      data: { ...grantIssuedData(grant), revokedBy: input.revokedBy, reason: input.reason },
      id: `grant-${input.why}-${input.requestId}`,
    }),
  );
  return { removed };
}

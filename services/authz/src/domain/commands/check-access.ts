import { NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { authzCheckedData, eventTypes } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { CheckResult } from '../types.js';
import { requireTenant } from './require-tenant.js';
import { stepUpRequirement } from './step-up.js';

export interface CheckAccessInput {
  tenant: string;
  /** Defaults to the caller. */
  principal: string;
  action: string;
  resource: string;
}

/**
 * The decision point: ALLOW with an active grant, NEEDS_APPROVAL for a protected
 * action without one, DENY for someone who may not even request it.
 *
 * Audit rule (DecisionRecorder, docs/decisions.md "Authz decisions and audit"):
 * every decision is published as assent.authz.checked.v1 and acknowledged by the
 * event stream before it is returned, except that a decision identical to one
 * this replica recorded within the repeat window (same tenant, principal, action,
 * resource, decision, model, policy hash and grant expiry; 1 s by default) is
 * covered by that record and returns its decision id instead of publishing again.
 * If the decision cannot be recorded, no decision is returned (UNAVAILABLE).
 */
/** Validates a (principal, action, resource) question in a tenant the caller may act in; returns the principal (default: the caller). */
export function accessQuestion(caller: Principal, input: CheckAccessInput): string {
  const principal = input.principal || caller.subject;
  new Violations()
    .check('tenant', input.tenant, 'tenant')
    .check('principal', principal, 'user')
    .check('action', input.action, 'action')
    .check('resource', input.resource, 'resource')
    .throwIfAny();
  assertTenantAccess(caller, input.tenant);
  return principal;
}

export async function checkAccess(deps: AuthzDeps, caller: Principal, input: CheckAccessInput): Promise<CheckResult> {
  const principal = accessQuestion(caller, input);
  if (caller.kind === 'user' && principal !== caller.subject) {
    throw new PermissionDeniedError(`${caller.subject} may only check its own access`);
  }
  await requireTenant(deps.tenants, input.tenant);
  const protectedAction = await deps.actions.get(input.tenant, input.action);
  if (!protectedAction) throw new NotFoundError('action', input.action, `action "${input.action}" is not registered in tenant "${input.tenant}"`);

  const base = { modelId: deps.relations.modelId(), decisionId: '', policy: protectedAction.policy };
  // Both questions go to OpenFGA at once; a grant only counts for a current member.
  const [member, expiresAt] = await Promise.all([
    deps.relations.isMember(input.tenant, principal),
    deps.relations.activeGrant(input.tenant, principal, input.action, input.resource, deps.clock.now()),
  ]);
  let result: CheckResult;
  if (!member) {
    result = { ...base, decision: 'DENY', reason: `${principal} is not a member of tenant ${input.tenant}`, grantExpiresAt: undefined, policy: undefined };
  } else if (expiresAt && protectedAction.stepUpToAct && !(await deps.stepUps.touch(input.tenant, principal, deps.stepUpRules.windowSeconds * 1000))) {
    result = {
      ...base,
      decision: 'NEEDS_STEP_UP',
      reason: `${principal} holds an approved grant for ${input.action} on ${input.resource}, but acting needs a step-up session: ${stepUpRequirement(deps.stepUpRules)}, then StepUp`,
      grantExpiresAt: undefined,
    };
  } else if (expiresAt) {
    result = { ...base, decision: 'ALLOW', reason: `${principal} holds an approved grant for ${input.action} on ${input.resource} until ${expiresAt.toISOString()}`, grantExpiresAt: expiresAt };
  } else {
    result = {
      ...base,
      decision: 'NEEDS_APPROVAL',
      reason: `${input.action} is protected: ${principal} needs an approval under policy ${protectedAction.policy.id} to act on ${input.resource}`,
      grantExpiresAt: undefined,
    };
  }
  const fingerprint = JSON.stringify([
    input.tenant,
    principal,
    input.action,
    input.resource,
    result.decision,
    result.modelId,
    result.policy?.hash ?? '',
    result.grantExpiresAt?.getTime() ?? 0,
  ]);
  // The event is built only when it is published: a covered repeat costs no event.
  const decisionId = await deps.decisions.record(fingerprint, () =>
    deps.eventFactory.create({ type: eventTypes.checked, subject: `decision/${input.action}`, tenant: input.tenant, data: authzCheckedData({ ...input, principal }, result) }),
  );
  return { ...result, decisionId };
}

import {
  ConditionEvaluationError,
  InvalidArgumentError,
  PermissionDeniedError,
  Violations,
  assertTenantAccess,
  contextProblem,
  firstHolding,
  type NamedCondition,
  type Principal,
} from '@assent/platform/domain';
import { authzCheckedData, eventTypes } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { CheckResult, ProtectedAction } from '../types.js';
import { requireAction } from './require-action.js';
import { requireTenant } from './require-tenant.js';
import { stepUpRequirement } from './step-up.js';

export interface CheckAccessInput {
  tenant: string;
  /** Defaults to the caller. */
  principal: string;
  action: string;
  resource: string;
  /** What the action is about to do; the action's protection conditions are evaluated against it. */
  context?: Record<string, unknown> | undefined;
  /** FULL: bypass the decision cache (every fact from OpenFGA at higher consistency). */
  consistency?: 'DEFAULT' | 'FULL';
}

/**
 * The decision point: ALLOW with an active grant, NEEDS_APPROVAL for a protected
 * action without one, DENY for someone who may not even request it. An action
 * with protection conditions is protected only when one holds for the context:
 * below every threshold a member is allowed without approval.
 *
 * Audit rule (DecisionRecorder, docs/decisions.md "Authz decisions and audit"):
 * every decision on a protected action and every DENY is published as
 * assent.authz.checked.v1, each its own record, acknowledged by the event stream
 * before the decision is returned. Routine ALLOWs where no protection condition
 * held are sampled: one record per identical decision (same tenant, principal,
 * action, resource, model, policy hash) per replica per repeat window (1 s by
 * default), whose id the repeats return. If a decision cannot be recorded, none
 * is returned (UNAVAILABLE).
 */
/** Validates a (principal, action, resource, context) question in a tenant the caller may act in; returns the principal (default: the caller). */
export function accessQuestion(caller: Principal, input: CheckAccessInput): string {
  const principal = input.principal || caller.subject;
  const v = new Violations()
    .check('tenant', input.tenant, 'tenant')
    .check('principal', principal, 'user')
    .check('action', input.action, 'action')
    .check('resource', input.resource, 'resource');
  const tooBig = input.context && contextProblem(input.context);
  if (tooBig) v.add('context', tooBig);
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  return principal;
}

/**
 * Whether the action is protected for this context, and under which condition:
 * `covering` lists the conditions whose grants count (the matched one and the
 * stricter ones before it; [""] for an action without conditions). A condition
 * that cannot be decided (a missing key, a value of the wrong type) is
 * INVALID_ARGUMENT naming it: it never counts as "does not hold".
 */
export function protectionOf(
  action: ProtectedAction,
  principal: string,
  input: CheckAccessInput,
): { protected: false } | { protected: true; matched: NamedCondition | undefined; covering: string[] } {
  if (action.conditions.length === 0) return { protected: true, matched: undefined, covering: [''] };
  let hit: { condition: NamedCondition; index: number } | undefined;
  try {
    hit = firstHolding(action.conditions, { context: input.context ?? {}, principal, action: input.action, resource: input.resource });
  } catch (err) {
    if (err instanceof ConditionEvaluationError) throw InvalidArgumentError.field('context', err.message);
    throw err;
  }
  if (!hit) return { protected: false };
  return { protected: true, matched: { name: hit.condition.name, when: hit.condition.when }, covering: action.conditions.slice(0, hit.index + 1).map((c) => c.name) };
}

/**
 * Membership answers shared by the checks of one BatchCheck: the batch is one
 * question at one moment, so its items need one membership answer per principal,
 * not one OpenFGA call each (an uncached batch of 100 for one person made 100).
 */
export type MembershipMemo = Map<string, Promise<boolean>>;

export async function checkAccess(deps: AuthzDeps, caller: Principal, input: CheckAccessInput, memberships?: MembershipMemo): Promise<CheckResult> {
  const principal = accessQuestion(caller, input);
  if (caller.kind === 'user' && principal !== caller.subject) {
    throw new PermissionDeniedError(`${caller.subject} may only check its own access`);
  }
  await requireTenant(deps.tenants, input.tenant);
  const protectedAction = await requireAction(deps.actions, input.tenant, input.action);
  const protection = protectionOf(protectedAction, principal, input);
  const relations = input.consistency === 'FULL' ? deps.freshRelations : deps.relations;
  const now = deps.clock.now();
  const isMember = () => {
    if (!memberships) return relations.isMember(input.tenant, principal);
    const key = `${input.tenant}\n${principal}`;
    let asked = memberships.get(key);
    if (!asked) {
      asked = relations.isMember(input.tenant, principal);
      memberships.set(key, asked);
    }
    return asked;
  };
  const base = { modelId: relations.modelId(), decisionId: '', policy: protectedAction.policy, matchedCondition: protection.protected ? protection.matched : undefined };

  let result: CheckResult;
  if (!protection.protected) {
    const member = await isMember();
    const names = protectedAction.conditions.map((c) => c.name).join(', ');
    result = member
      ? { ...base, decision: 'ALLOW', reason: `no protection condition of ${input.action} holds for this context (${names}): allowed without approval`, grantExpiresAt: undefined }
      : { ...base, decision: 'DENY', reason: `${principal} is not a member of tenant ${input.tenant}`, grantExpiresAt: undefined, policy: undefined };
  } else {
    // Every question goes to OpenFGA at once; a grant only counts for a current member.
    const [member, ...ends] = await Promise.all([
      isMember(),
      ...protection.covering.map((c) => relations.activeGrant(input.tenant, principal, input.action, input.resource, now, c)),
    ]);
    const expiresAt = ends.reduce<Date | undefined>((latest, end) => (end && (!latest || end > latest) ? end : latest), undefined);
    const under = protection.matched ? ` (condition "${protection.matched.name}": ${protection.matched.when})` : '';
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
      result = { ...base, decision: 'ALLOW', reason: `${principal} holds an approved grant for ${input.action} on ${input.resource}${under} until ${expiresAt.toISOString()}`, grantExpiresAt: expiresAt };
    } else {
      result = {
        ...base,
        decision: 'NEEDS_APPROVAL',
        reason: `${input.action} is protected${under}: ${principal} needs an approval under policy ${protectedAction.policy.id} to act on ${input.resource}`,
        grantExpiresAt: undefined,
      };
    }
  }
  const build = () =>
    deps.eventFactory.create({ type: eventTypes.checked, subject: `decision/${input.action}`, tenant: input.tenant, data: authzCheckedData({ ...input, principal }, result) });
  // Only a routine ALLOW (no condition held) is sampled; every other decision is its own record.
  const decisionId =
    !protection.protected && result.decision === 'ALLOW'
      ? await deps.decisions.sample(JSON.stringify([input.tenant, principal, input.action, input.resource, result.modelId, result.policy?.hash ?? '']), build)
      : await deps.decisions.record(build);
  return { ...result, decisionId };
}

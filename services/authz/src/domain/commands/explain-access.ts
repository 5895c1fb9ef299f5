import { NotFoundError, PermissionDeniedError, hasRole, type Principal } from '@assent/platform/domain';
import { accessQuestion } from './check-access.js';
import type { AuthzDeps } from '../ports.js';
import type { Decision, PolicyRef } from '../types.js';
import { requireTenant } from './require-tenant.js';
import { stepUpRequirement } from './step-up.js';

export interface ExplainFact {
  name: 'tenant_member' | 'protected_action' | 'grant' | 'step_up';
  holds: boolean;
  detail: string;
}

export interface Explanation {
  decision: Decision;
  reason: string;
  modelId: string;
  policy: PolicyRef | undefined;
  facts: ExplainFact[];
  grantWindow: { start: Date; end: Date } | undefined;
}

/**
 * Why Check decides what it does now, fact by fact: the same rules as checkAccess,
 * each input read fresh (OpenFGA at higher consistency, the step-up session without
 * sliding it), never from the decision cache, so an explanation is never stale and
 * changes nothing. A grant that is not active says whether it has not started or
 * when it ended, which OpenFGA's own answer (allowed: false) does not.
 */
export async function explainAccess(deps: AuthzDeps, caller: Principal, input: { tenant: string; principal: string; action: string; resource: string }): Promise<Explanation> {
  const principal = accessQuestion(caller, input);
  if (caller.kind === 'user' && principal !== caller.subject && !hasRole(caller, 'admin')) {
    throw new PermissionDeniedError(`${caller.subject} may only explain its own access (tenant admins may explain anyone's)`);
  }
  await requireTenant(deps.tenants, input.tenant);
  const action = await deps.actions.get(input.tenant, input.action);
  if (!action) throw new NotFoundError('action', input.action, `action "${input.action}" is not registered in tenant "${input.tenant}"`);
  const now = deps.clock.now();
  const [{ member, window }, session] = await Promise.all([
    deps.relations.grantFacts(input.tenant, principal, input.action, input.resource),
    action.stepUpToAct ? deps.stepUps.peek(input.tenant, principal) : Promise.resolve(undefined),
  ]);
  const facts: ExplainFact[] = [
    {
      name: 'tenant_member',
      holds: member,
      detail: member
        ? `${principal} is a member of tenant ${input.tenant}`
        : `missing relation: user:${principal} is not a member of tenant:${input.tenant}, directly or through a group`,
    },
    {
      name: 'protected_action',
      holds: true,
      detail: `${input.action} is protected by policy ${action.policy.id} (sha256 ${action.policy.hash.slice(0, 12)})${action.stepUpToAct ? '; acting needs a step-up session' : ''}`,
    },
  ];
  const active = Boolean(window && window.start <= now && now < window.end);
  const range = window ? `from ${window.start.toISOString()} until ${window.end.toISOString()}` : '';
  facts.push({
    name: 'grant',
    holds: active,
    detail: !window
      ? `no grant for ${principal} on ${input.resource}: no approved request, or its grant was revoked or removed at its end`
      : now < window.start
        ? `granted ${range}: not started yet (an approved request with a later start)`
        : now >= window.end
          ? `grant expired at ${window.end.toISOString()} (it ran ${range}); OpenFGA stops counting it then`
          : `active grant ${range}`,
  });
  if (action.stepUpToAct) {
    facts.push({
      name: 'step_up',
      holds: Boolean(session),
      detail: session
        ? `step-up session (acr ${session.acr || '-'}, amr ${session.amr.join(', ') || '-'}) until ${session.expiresAt.toISOString()} unless used again`
        : `no step-up session; opening one needs ${stepUpRequirement(deps.stepUpRules)}`,
    });
  }
  const decide = (): { decision: Decision; fact: ExplainFact } => {
    const fact = (name: ExplainFact['name']) => facts.find((f) => f.name === name) as ExplainFact;
    if (!member) return { decision: 'DENY', fact: fact('tenant_member') };
    if (!active) return { decision: 'NEEDS_APPROVAL', fact: fact('grant') };
    if (action.stepUpToAct && !session) return { decision: 'NEEDS_STEP_UP', fact: fact('step_up') };
    return { decision: 'ALLOW', fact: fact('grant') };
  };
  const { decision, fact } = decide();
  return { decision, reason: fact.detail, modelId: deps.relations.modelId(), policy: member ? action.policy : undefined, facts, grantWindow: window };
}

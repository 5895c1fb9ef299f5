import { PermissionDeniedError, hasRole, type NamedCondition, type Principal } from '@assent/platform/domain';
import { accessQuestion, protectionOf, type CheckAccessInput } from './check-access.js';
import type { AuthzDeps } from '../ports.js';
import type { Decision, PolicyRef } from '../types.js';
import { requireAction } from './require-action.js';
import { requireTenant } from './require-tenant.js';
import { stepUpRequirement } from './step-up.js';

export interface ExplainFact {
  /** "tenant_member", "protected_action", "condition:<name>", "grant", "step_up". */
  name: string;
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
  matchedCondition: NamedCondition | undefined;
}

/**
 * Why Check decides what it does now, fact by fact: the same rules as checkAccess,
 * each input read fresh (OpenFGA at higher consistency, the step-up session without
 * sliding it), never from the decision cache, so an explanation is never stale and
 * changes nothing. A grant that is not active says whether it has not started or
 * when it ended, which OpenFGA's own answer (allowed: false) does not.
 */
export async function explainAccess(deps: AuthzDeps, caller: Principal, input: CheckAccessInput): Promise<Explanation> {
  const principal = accessQuestion(caller, input);
  if (caller.kind === 'user' && principal !== caller.subject && !hasRole(caller, 'admin')) {
    throw new PermissionDeniedError(`${caller.subject} may only explain its own access (tenant admins may explain anyone's)`);
  }
  await requireTenant(deps.tenants, input.tenant);
  const action = await requireAction(deps.actions, input.tenant, input.action);
  const now = deps.clock.now();
  const protection = protectionOf(action, principal, input);
  const covering = protection.protected ? protection.covering : [];
  const [member, windows, session] = await Promise.all([
    deps.freshRelations.isMember(input.tenant, principal),
    Promise.all(covering.map(async (c) => (await deps.freshRelations.grantFacts(input.tenant, principal, input.action, input.resource, c)).window)),
    action.stepUpToAct && protection.protected ? deps.stepUps.peek(input.tenant, principal) : Promise.resolve(undefined),
  ]);
  // The grant that counts: an active one if any (the latest ending), else the latest ending.
  const found = windows.filter((w): w is { start: Date; end: Date } => Boolean(w));
  const isActive = (w: { start: Date; end: Date }) => w.start <= now && now < w.end;
  const byEnd = (a: { end: Date }, b: { end: Date }) => b.end.getTime() - a.end.getTime();
  const window = found.filter(isActive).sort(byEnd)[0] ?? found.sort(byEnd)[0];
  // A grant under a laxer condition exists but does not cover this one: say so.
  const laxer = protection.protected && protection.matched ? action.conditions.slice(protection.covering.length).map((c) => c.name) : [];
  const laxerActive = window && isActive(window) ? [] : (
    await Promise.all(laxer.map(async (c) => ({ c, w: (await deps.freshRelations.grantFacts(input.tenant, principal, input.action, input.resource, c)).window })))
  ).filter((x) => x.w && isActive(x.w)).map((x) => x.c);
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
      holds: protection.protected,
      detail:
        `${input.action} is protected by policy ${action.policy.id} (sha256 ${action.policy.hash.slice(0, 12)})` +
        (action.conditions.length ? ` when one of its ${action.conditions.length} conditions holds (the first that holds decides)` : '') +
        (action.stepUpToAct ? '; acting needs a step-up session' : ''),
    },
  ];
  // protectionOf evaluated them in order: those before the match did not hold, the match did (none did when unprotected).
  const evaluated = protection.protected && protection.matched ? protection.covering.length : action.conditions.length;
  action.conditions.slice(0, evaluated).forEach((c, i) => {
    const holds = protection.protected && i === evaluated - 1;
    facts.push({ name: `condition:${c.name}`, holds, detail: `${c.when} ${holds ? 'holds' : 'does not hold'} for this context` });
  });
  if (!protection.protected) {
    const decision = member ? 'ALLOW' : 'DENY';
    const reason = member
      ? `no protection condition of ${input.action} holds for this context: allowed without approval`
      : (facts[0] as ExplainFact).detail;
    return { decision, reason, modelId: deps.freshRelations.modelId(), policy: member ? action.policy : undefined, facts, grantWindow: undefined, matchedCondition: undefined };
  }
  const active = Boolean(window && isActive(window));
  const range = window ? `from ${window.start.toISOString()} until ${window.end.toISOString()}` : '';
  facts.push({
    name: 'grant',
    holds: active,
    detail: !window
      ? laxerActive.length
        ? `no grant for ${principal} on ${input.resource} that covers condition "${protection.protected && protection.matched ? protection.matched.name : ''}": the active grant under ${laxerActive.map((c) => `"${c}"`).join(', ')} covers only that condition and the laxer ones`
        : `no grant for ${principal} on ${input.resource}: no approved request, or its grant was revoked or removed at its end`
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
    const fact = (name: string) => facts.find((f) => f.name === name) as ExplainFact;
    if (!member) return { decision: 'DENY', fact: fact('tenant_member') };
    if (!active) return { decision: 'NEEDS_APPROVAL', fact: fact('grant') };
    if (action.stepUpToAct && !session) return { decision: 'NEEDS_STEP_UP', fact: fact('step_up') };
    return { decision: 'ALLOW', fact: fact('grant') };
  };
  const { decision, fact } = decide();
  const matchedCondition = protection.matched;
  const reason = decision === 'NEEDS_APPROVAL' && matchedCondition ? `condition "${matchedCondition.name}" (${matchedCondition.when}) holds; ${fact.detail}` : fact.detail;
  return { decision, reason, modelId: deps.freshRelations.modelId(), policy: member ? action.policy : undefined, facts, grantWindow: window, matchedCondition };
}

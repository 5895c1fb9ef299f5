import type { RelationStore } from './ports.js';
import type { Decision, ProtectedAction } from './types.js';

/** A Check decision as its assent.authz.checked.v1 event recorded it. */
export interface RecordedDecision {
  /** The event id: the decision id Check returned. */
  id: string;
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  /** The event's time: when the decision was made. */
  decidedAt: Date;
  decision: Decision;
  /** The protection condition that held (undefined: the action had none, or none held). */
  matchedCondition: string | undefined;
}

/**
 * What Check asked OpenFGA for this decision: membership alone (a routine decision,
 * no protection condition held) or membership and a grant under one of `covering`
 * (the matched condition and the stricter ones before it; [""] for an action
 * without conditions). Read from the action as registered now.
 */
export type ReplayQuestion = { kind: 'routine' } | { kind: 'protected'; covering: string[] } | { kind: 'skip'; reason: string };

export function replayQuestion(recorded: RecordedDecision, action: ProtectedAction | undefined): ReplayQuestion {
  if (!action) return { kind: 'skip', reason: 'the action is no longer registered' };
  if (recorded.matchedCondition) {
    const index = action.conditions.findIndex((c) => c.name === recorded.matchedCondition);
    if (index < 0) return { kind: 'skip', reason: 'its protection condition is no longer one of the action\'s' };
    return { kind: 'protected', covering: action.conditions.slice(0, index + 1).map((c) => c.name) };
  }
  if (action.conditions.length === 0) return { kind: 'protected', covering: [''] };
  // The action has conditions and none held: a routine decision, ALLOW for a member.
  if (recorded.decision === 'ALLOW' || recorded.decision === 'DENY') return { kind: 'routine' };
  return { kind: 'skip', reason: 'it was protected without a condition, and the action has conditions now' };
}

/**
 * The decision rules of Check (commands/check-access.ts) over the facts read:
 * DENY for a non-member, ALLOW for a routine decision or with an active grant,
 * NEEDS_APPROVAL otherwise. A step-up session is not a relationship and is not
 * replayed: NEEDS_STEP_UP (a grant, but no session) compares as ALLOW, the answer
 * the model gives.
 */
export function decide(question: Exclude<ReplayQuestion, { kind: 'skip' }>, facts: { member: boolean; granted: boolean }): Decision {
  if (!facts.member) return 'DENY';
  if (question.kind === 'routine' || facts.granted) return 'ALLOW';
  return 'NEEDS_APPROVAL';
}

/** A recorded decision as the model would decide it: NEEDS_STEP_UP is ALLOW-with-grant. */
export const modelAnswer = (d: Decision): Decision => (d === 'NEEDS_STEP_UP' ? 'ALLOW' : d);

/**
 * Asks `facts` (a relation store under one model) the questions Check asked, at the
 * decision's own time, one at a time (the caller bounds how many replays run at once).
 */
export async function replayUnder(
  facts: Pick<RelationStore, 'isMember' | 'activeGrant'>,
  recorded: RecordedDecision,
  question: Exclude<ReplayQuestion, { kind: 'skip' }>,
): Promise<Decision> {
  const member = await facts.isMember(recorded.tenant, recorded.principal);
  let granted = false;
  if (member && question.kind === 'protected') {
    for (const condition of question.covering) {
      if (await facts.activeGrant(recorded.tenant, recorded.principal, recorded.action, recorded.resource, recorded.decidedAt, condition)) {
        granted = true;
        break;
      }
    }
  }
  return decide(question, { member, granted });
}

import type { Outcome } from '../types.js';

/**
 * What just happened to a request, as its Slack messages say it. Every approval event
 * the notifier reacts to maps to one; the message always shows the request as it is
 * now (the event carries the whole request), the change only says what moved.
 */
export type RequestChange =
  | { kind: 'requested' }
  | { kind: 'voted'; by: string; outcome: string; reason: string }
  | { kind: 'changes_requested'; by: string; reason: string }
  | { kind: 'resubmitted'; by: string; reason: string }
  | { kind: 'commented'; by: string; reason: string }
  | { kind: 'cancelled'; by: string; reason: string }
  | { kind: 'expired' }
  | { kind: 'escalated'; tier: number }
  | { kind: 'reassigned'; by: string; reason: string }
  | { kind: 'snoozed'; by: string; reason: string }
  | { kind: 'unsnoozed' }
  | { kind: 'decided'; outcome: Outcome; by: string };

export type ChangeKind = RequestChange['kind'];

/** Changes after which nobody is asked to act any more: no button stays. */
export const finalKinds: ReadonlySet<ChangeKind> = new Set(['cancelled', 'expired', 'decided']);

/** Changes the requester hears about directly (a DM), because the next move is theirs or it is over. */
export const requesterHearsOf: ReadonlySet<ChangeKind> = new Set(['decided', 'expired', 'changes_requested']);

import { awaiting } from './schedule.js';
import type { ApprovalRequest } from './types.js';
import { approverSubjects } from './request-approvers.js';

/** A break-glass approval waits for a review by any of the request's approvers. */
export const awaitsReview = (r: ApprovalRequest): boolean => r.breakGlass !== undefined && r.breakGlass.review === undefined;

/** Far enough ahead that requests without a due time sort after every one with one. */
const NO_DUE_OFFSET_MS = 100 * 365 * 24 * 3600 * 1000;
/** What a person's Done tab keeps. */
export const DONE_KEPT = 1_000;

/** Where a request sits in pending inboxes: by due time, then creation. */
export const pendingScore = (r: ApprovalRequest): number => r.timers.dueAt?.getTime() ?? r.createdAt.getTime() + NO_DUE_OFFSET_MS;

/** The inbox entries one request state implies (what InboxIndex.project files). */
export function inboxEntries(r: ApprovalRequest): { pending: string[]; score: number; snoozed: { user: string; until: number }[]; done: { user: string; at: number }[] } {
  const open = r.state === 'PENDING';
  const done = new Map<string, number>();
  for (const v of r.votes) if (v.outcome !== 'COMMENT' && !done.has(v.approver)) done.set(v.approver, v.at.getTime());
  return {
    pending: open ? awaiting(r) : awaitsReview(r) ? approverSubjects(r.requirements) : [],
    score: pendingScore(r),
    snoozed: open ? r.snoozes.map((s) => ({ user: s.user, until: s.until.getTime() })) : [],
    done: [...done].map(([user, at]) => ({ user, at })),
  };
}

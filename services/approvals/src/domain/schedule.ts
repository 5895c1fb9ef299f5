import { evaluateQuorum } from './quorum.js';
import type { ApprovalRequest, Requirement, Schedule, TimerState } from './types.js';
import { approverSubjects } from './request-approvers.js';

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

/** Which tier the n-th escalation (0-based) applies: 0…L-1, then loopTo…L-1 again and again. */
export function tierIndex(s: Schedule, n: number): number | undefined {
  const L = s.escalation.length;
  if (n < L) return n;
  if (s.escalationLoopTo === undefined || L === 0) return undefined;
  const loop = L - s.escalationLoopTo;
  return s.escalationLoopTo + ((n - L) % loop);
}

function reminderAfter(s: Schedule, submittedAt: Date, sent: number, previous: Date | undefined): Date | undefined {
  const offset = s.reminderAfterSeconds[sent];
  if (offset !== undefined) return at(submittedAt, offset);
  if (s.reminderRepeatSeconds > 0 && previous) return at(previous, s.reminderRepeatSeconds);
  if (s.reminderRepeatSeconds > 0 && s.reminderAfterSeconds.length === 0) return at(submittedAt, s.reminderRepeatSeconds);
  return undefined;
}

/**
 * Timers of a (re)submission at `now`. SLA and reminders run from each submission;
 * expiry always from creation (a request cannot be kept alive by resubmitting);
 * escalation keeps its progress and schedules its next tier from the submission.
 */
export function submissionTimers(s: Schedule, createdAt: Date, now: Date, previous: TimerState | undefined): TimerState {
  const escalations = previous?.escalations ?? 0;
  const next = tierIndex(s, escalations);
  return {
    submittedAt: now,
    dueAt: s.slaSeconds > 0 ? at(now, s.slaSeconds) : undefined,
    overdue: false,
    expiresAt: s.expireAfterSeconds > 0 ? at(createdAt, s.expireAfterSeconds) : undefined,
    remindersSent: 0,
    nextReminderAt: reminderAfter(s, now, 0, undefined),
    escalations,
    nextEscalationAt: next === undefined ? undefined : at(now, s.escalation[next]?.afterSeconds ?? 0),
  };
}

const earliest = (...ds: (Date | undefined)[]): Date | undefined =>
  ds.reduce<Date | undefined>((min, d) => (d && (!min || d < min) ? d : min), undefined);

/**
 * When the scheduler must next wake the request: its earliest pending timer.
 * While changes are requested the approvers' timers pause (the requester holds
 * the request); only expiry runs. A closed request has none.
 */
export function wakeAt(r: Pick<ApprovalRequest, 'state' | 'timers' | 'snoozes' | 'grantExpiresAt' | 'grantClosed' | 'effectiveAt'>): Date | undefined {
  const t = r.timers;
  // Approved with a later start: it becomes APPROVED then.
  if (r.state === 'DEFERRED') return r.effectiveAt;
  // An approved request's last timer: its grant's end, when the grant is removed.
  if (r.state === 'APPROVED') return r.grantExpiresAt && !r.grantClosed ? r.grantExpiresAt : undefined;
  if (r.state === 'CHANGES_REQUESTED') return t.expiresAt;
  if (r.state !== 'PENDING') return undefined;
  return earliest(t.overdue ? undefined : t.dueAt, t.nextReminderAt, t.nextEscalationAt, t.expiresAt, ...r.snoozes.map((s) => s.until));
}

export type FiredTimer =
  | { timer: 'expiry'; scheduledAt: Date }
  | { timer: 'sla'; scheduledAt: Date; notify: string[] }
  | { timer: 'reminder'; scheduledAt: Date; notify: string[]; missed: number }
  | { timer: 'escalation'; scheduledAt: Date; notify: string[]; tier: number }
  | { timer: 'snooze'; scheduledAt: Date; notify: string[] }
  | { timer: 'effective'; scheduledAt: Date };

/** Subjects still asked to act: approvers of unmet requirements who have not voted on this submission. */
export function awaiting(r: ApprovalRequest): string[] {
  const current = r.votes.filter((v) => v.submission === r.submission);
  const approvals = current.filter((v) => v.outcome === 'APPROVE');
  const voted = new Set(current.filter((v) => v.outcome !== 'COMMENT').flatMap((v) => [`user:${v.approver}`, ...(v.onBehalfOf ? [`user:${v.onBehalfOf}`] : [])]));
  const unmet = evaluateQuorum(r.requirements, approvals).unmet;
  return approverSubjects(unmet).filter((a) => !voted.has(a));
}

function escalate(requirements: Requirement[], unmet: Set<string>, tier: { approvers: string[]; mode: 'ADD' | 'REPLACE' }): Requirement[] {
  return requirements.map((q) => {
    if (!unmet.has(q.name)) return q;
    const approvers = tier.mode === 'REPLACE' ? [...tier.approvers] : [...new Set([...q.approvers, ...tier.approvers])];
    return { ...q, approvers };
  });
}

/** Escalations applied in one wake, at most: a long outage catches up without looping unboundedly. */
const MAX_CATCH_UP = 16;

/**
 * Applies every timer due at `now`, in time order, and returns the new request
 * and what fired (empty when nothing was due: a repeated or early wake changes
 * nothing). Deterministic in (request, now), so replicas racing on a wake agree,
 * and the compare-and-set lets one of them write it.
 */
export function fireDue(r: ApprovalRequest, now: Date): { request: ApprovalRequest; fired: FiredTimer[] } {
  const fired: FiredTimer[] = [];
  if (r.state === 'DEFERRED' && r.effectiveAt && r.effectiveAt <= now) {
    const request: ApprovalRequest = { ...r, state: 'APPROVED' };
    return { request: { ...request, wakeAt: wakeAt(request) }, fired: [{ timer: 'effective', scheduledAt: r.effectiveAt }] };
  }
  if (r.state !== 'PENDING' && r.state !== 'CHANGES_REQUESTED') return { request: r, fired };
  const t = { ...r.timers };
  if (t.expiresAt && t.expiresAt <= now) {
    const request: ApprovalRequest = { ...r, state: 'EXPIRED', timers: t, closedBy: 'system', closeReason: `expired at ${t.expiresAt.toISOString()} without a decision` };
    return { request: { ...request, wakeAt: undefined }, fired: [{ timer: 'expiry', scheduledAt: t.expiresAt }] };
  }
  if (r.state !== 'PENDING') return { request: r, fired };
  let next: ApprovalRequest = { ...r, timers: t };
  // Snoozes that ended: the request is back in those approvers' pending inbox.
  const back = r.snoozes.filter((s) => s.until <= now);
  if (back.length) {
    next = { ...next, snoozes: r.snoozes.filter((s) => s.until > now) };
    for (const s of back) fired.push({ timer: 'snooze', scheduledAt: s.until, notify: [`user:${s.user}`] });
  }
  type Due = { kind: 'sla' | 'reminder' | 'escalation'; when: Date };
  for (let steps = 0; steps < 3 * MAX_CATCH_UP; steps++) {
    const candidates: Due[] = [];
    if (t.dueAt && !t.overdue && t.dueAt <= now) candidates.push({ kind: 'sla', when: t.dueAt });
    if (t.nextReminderAt && t.nextReminderAt <= now) candidates.push({ kind: 'reminder', when: t.nextReminderAt });
    if (t.nextEscalationAt && t.nextEscalationAt <= now) candidates.push({ kind: 'escalation', when: t.nextEscalationAt });
    const due = candidates.sort((a, b) => a.when.getTime() - b.when.getTime())[0];
    if (!due) break;
    if (due.kind === 'sla') {
      t.overdue = true;
      fired.push({ timer: 'sla', scheduledAt: due.when, notify: awaiting(next) });
    } else if (due.kind === 'reminder') {
      // Missed reminders (an outage) collapse into one notice.
      let missed = 0;
      while (t.nextReminderAt && t.nextReminderAt <= now && missed < MAX_CATCH_UP) {
        t.remindersSent++;
        missed++;
        t.nextReminderAt = reminderAfter(r.schedule, t.submittedAt, t.remindersSent, t.nextReminderAt);
      }
      if (t.nextReminderAt && t.nextReminderAt <= now) t.nextReminderAt = at(now, Math.max(60, r.schedule.reminderRepeatSeconds));
      fired.push({ timer: 'reminder', scheduledAt: due.when, notify: awaiting(next), missed });
    } else {
      const index = tierIndex(r.schedule, t.escalations) as number;
      const tier = r.schedule.escalation[index];
      if (!tier) break;
      const unmet = new Set(evaluateQuorum(next.requirements, next.votes.filter((v) => v.submission === next.submission && v.outcome === 'APPROVE')).unmet.map((q) => q.name));
      next = { ...next, requirements: escalate(next.requirements, unmet, tier) };
      t.escalations++;
      const following = tierIndex(r.schedule, t.escalations);
      t.nextEscalationAt = following === undefined ? undefined : at(due.when, r.schedule.escalation[following]?.afterSeconds ?? 60);
      fired.push({ timer: 'escalation', scheduledAt: due.when, notify: tier.approvers, tier: index });
    }
  }
  // Bounded catch-up after a long outage: whatever is still behind resumes a minute from now.
  if (t.nextEscalationAt && t.nextEscalationAt <= now) t.nextEscalationAt = at(now, 60);
  next = { ...next, timers: t };
  return { request: { ...next, wakeAt: wakeAt(next) }, fired };
}

export interface TimelineEntry {
  timer: FiredTimer['timer'];
  at: Date;
  detail: string;
}

function describe(f: FiredTimer, r: ApprovalRequest): string {
  switch (f.timer) {
    case 'expiry':
      return 'the request expires undecided';
    case 'sla':
      return `overdue; ${f.notify.join(', ')} are told`;
    case 'reminder':
      return `reminder ${r.timers.remindersSent} to ${f.notify.join(', ')}`;
    case 'snooze':
      return `snooze of ${f.notify.join(', ')} ends`;
    case 'effective':
      return 'the approved effect starts';
    case 'escalation': {
      const mode = r.schedule.escalation[f.tier]?.mode === 'REPLACE' ? 'replaces the approvers with' : 'adds';
      return `escalation tier ${f.tier} ${mode} ${f.notify.join(', ')}`;
    }
  }
}

/**
 * Every timer a request would see if nobody acted, in time order, by running the
 * same fireDue the scheduler runs (so the simulation cannot drift from what
 * happens), up to expiry or `limit` entries.
 */
export function timeline(r: ApprovalRequest, limit: number): { entries: TimelineEntry[]; truncated: boolean } {
  const entries: TimelineEntry[] = [];
  let current = r;
  for (;;) {
    const next = wakeAt(current);
    if (!next) return { entries, truncated: false };
    const { request, fired } = fireDue(current, next);
    for (const f of fired) {
      if (entries.length >= limit) return { entries, truncated: true };
      entries.push({ timer: f.timer, at: f.scheduledAt, detail: describe(f, request) });
    }
    current = request;
  }
}

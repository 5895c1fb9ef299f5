import { emptySchedule } from '../../domain/policy-rules.js';
import type { ApprovalRequest, BreakGlassVerdict, GrantExtension, Handoff, RequestEdit, Requirement, Snooze, Submission, TimerState, Vote } from '../../domain/types.js';

type Dated<T, K extends keyof T> = Omit<T, K> & { [P in K]: undefined extends T[P] ? string | undefined : string };

/** JSON form stored on the request's state subject (dates as ISO strings). */
/** Request fields added later: absent from requests stored before them. */
type Later = 'acknowledgements' | 'approverEditable' | 'maxGrantDurationSeconds' | 'parametersSchema' | 'parameters' | 'effectiveAt' | 'grantStartsAt' | 'edits' | 'previousRequestId' | 'attempt' | 'extendsRequestId' | 'grantExtensions' | 'extensionRequiresApproval' | 'requireStepUpToApprove' | 'tier' | 'tierConditions';
export type RequestJson = Omit<
  Dated<ApprovalRequest, 'createdAt' | 'updatedAt' | 'decidedAt' | 'grantExpiresAt' | 'wakeAt'>,
  'votes' | 'timers' | 'submissions' | 'snoozes' | 'handoffs' | 'breakGlass' | 'allowBreakGlass' | 'grantClosed' | Later
> &
  Partial<
    Pick<
      ApprovalRequest,
      'acknowledgements' | 'approverEditable' | 'maxGrantDurationSeconds' | 'parametersSchema' | 'parameters' | 'previousRequestId' | 'attempt' | 'extendsRequestId' | 'extensionRequiresApproval' | 'requireStepUpToApprove' | 'tier' | 'tierConditions'
    >
  > & {
  grantExtensions?: Dated<GrantExtension, 'at' | 'expiresAt'>[];
  effectiveAt?: string;
  grantStartsAt?: string;
  edits?: Dated<RequestEdit, 'at'>[];
  grantClosed?: { kind: 'revoked' | 'ended'; at: string; by: string; reason: string };
  allowBreakGlass?: boolean;
  breakGlass?: { at: string; reason: string; review?: { by: string; at: string; verdict: BreakGlassVerdict; reason: string } };
  handoffs?: Dated<Handoff, 'at'>[];
  votes: (Omit<Dated<Vote, 'at'>, 'acknowledged'> & { acknowledged?: string[] })[];
  snoozes?: Dated<Snooze, 'until'>[];
  timers: Dated<TimerState, 'submittedAt' | 'dueAt' | 'expiresAt' | 'nextReminderAt' | 'nextEscalationAt'>;
  submissions: (Omit<Dated<Submission, 'at'>, 'editedBy'> & { editedBy?: string })[];
};

/** What requests written before requirements and timers existed look like. */
type LegacyJson = Omit<RequestJson, 'requirements'> & { requirements?: Requirement[]; approvers?: string[]; quorum?: number };

const iso = (d: Date | undefined) => d?.toISOString();
const date = (s: string | undefined) => (s ? new Date(s) : undefined);

export const toJson = (r: ApprovalRequest): RequestJson => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  decidedAt: iso(r.decidedAt),
  grantExpiresAt: iso(r.grantExpiresAt),
  wakeAt: iso(r.wakeAt),
  effectiveAt: iso(r.effectiveAt),
  grantStartsAt: iso(r.grantStartsAt),
  edits: r.edits.map((e) => ({ ...e, at: e.at.toISOString() })),
  grantExtensions: r.grantExtensions.map((x) => ({ ...x, at: x.at.toISOString(), expiresAt: x.expiresAt.toISOString() })),
  votes: r.votes.map((v) => ({ ...v, at: v.at.toISOString() })),
  snoozes: r.snoozes.map((s) => ({ ...s, until: s.until.toISOString() })),
  handoffs: r.handoffs.map((h) => ({ ...h, at: h.at.toISOString() })),
  grantClosed: r.grantClosed && { ...r.grantClosed, at: r.grantClosed.at.toISOString() },
  breakGlass: r.breakGlass && { ...r.breakGlass, at: r.breakGlass.at.toISOString(), review: r.breakGlass.review && { ...r.breakGlass.review, at: r.breakGlass.review.at.toISOString() } },
  submissions: r.submissions.map((s) => ({ ...s, at: s.at.toISOString() })),
  timers: {
    ...r.timers,
    submittedAt: r.timers.submittedAt.toISOString(),
    dueAt: iso(r.timers.dueAt),
    expiresAt: iso(r.timers.expiresAt),
    nextReminderAt: iso(r.timers.nextReminderAt),
    nextEscalationAt: iso(r.timers.nextEscalationAt),
  },
});

/** Reads current and earlier stored shapes (an early request: one requirement, no timers). */
export function fromJson(stored: LegacyJson): ApprovalRequest {
  const j: RequestJson = stored.requirements
    ? (stored as RequestJson)
    : {
        ...stored,
        requirements: [{ name: 'approvers', approvers: stored.approvers ?? [], quorum: stored.quorum ?? 1 }],
        schedule: emptySchedule(),
        timers: { submittedAt: stored.createdAt, dueAt: undefined, overdue: false, expiresAt: undefined, remindersSent: 0, nextReminderAt: undefined, escalations: 0, nextEscalationAt: undefined },
        wakeAt: undefined,
        submission: 1,
        submissions: [{ number: 1, justification: stored.justification, at: stored.createdAt }],
        votes: stored.votes.map((v) => ({ ...v, submission: v.submission ?? 1, eligibleFor: v.eligibleFor ?? ['approvers'] })),
        closedBy: '',
        closeReason: '',
      };
  const { approvers: _a, quorum: _q, ...rest } = j as RequestJson & { approvers?: unknown; quorum?: unknown };
  return {
    ...rest,
    createdAt: new Date(j.createdAt),
    updatedAt: new Date(j.updatedAt),
    decidedAt: date(j.decidedAt),
    grantExpiresAt: date(j.grantExpiresAt),
    wakeAt: date(j.wakeAt),
    votes: j.votes.map((v) => ({ ...v, at: new Date(v.at), acknowledged: v.acknowledged ?? [] })),
    acknowledgements: j.acknowledgements ?? [],
    approverEditable: j.approverEditable ?? [],
    maxGrantDurationSeconds: j.maxGrantDurationSeconds ?? j.grantDurationSeconds,
    parametersSchema: j.parametersSchema,
    parameters: j.parameters ?? {},
    effectiveAt: date(j.effectiveAt),
    grantStartsAt: date(j.grantStartsAt),
    edits: (j.edits ?? []).map((e) => ({ ...e, at: new Date(e.at) })),
    previousRequestId: j.previousRequestId ?? '',
    attempt: j.attempt ?? 1,
    extendsRequestId: j.extendsRequestId ?? '',
    grantExtensions: (j.grantExtensions ?? []).map((x) => ({ ...x, at: new Date(x.at), expiresAt: new Date(x.expiresAt) })),
    extensionRequiresApproval: j.extensionRequiresApproval ?? false,
    requireStepUpToApprove: j.requireStepUpToApprove ?? false,
    tier: j.tier ?? '',
    tierConditions: j.tierConditions ?? [],
    snoozes: (j.snoozes ?? []).map((s) => ({ ...s, until: new Date(s.until) })),
    handoffs: (j.handoffs ?? []).map((h) => ({ ...h, at: new Date(h.at) })),
    allowBreakGlass: j.allowBreakGlass ?? false,
    grantClosed: j.grantClosed && { ...j.grantClosed, at: new Date(j.grantClosed.at) },
    breakGlass: j.breakGlass && { ...j.breakGlass, at: new Date(j.breakGlass.at), review: j.breakGlass.review && { ...j.breakGlass.review, at: new Date(j.breakGlass.review.at) } },
    submissions: j.submissions.map((s) => ({ ...s, at: new Date(s.at), editedBy: s.editedBy ?? '' })),
    timers: {
      ...j.timers,
      submittedAt: new Date(j.timers.submittedAt),
      dueAt: date(j.timers.dueAt),
      expiresAt: date(j.timers.expiresAt),
      nextReminderAt: date(j.timers.nextReminderAt),
      nextEscalationAt: date(j.timers.nextEscalationAt),
    },
  };
}

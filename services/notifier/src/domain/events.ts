/** CloudEvent types the notifier reacts to (payloads in proto/assent/events/v1/events.proto). */
export const eventTypes = {
  approvalRequested: 'assent.approval.requested.v1',
  approvalVoted: 'assent.approval.voted.v1',
  approvalDecided: 'assent.approval.decided.v1',
  approvalCancelled: 'assent.approval.cancelled.v1',
  approvalExpired: 'assent.approval.expired.v1',
  approvalChangesRequested: 'assent.approval.changes_requested.v1',
  approvalResubmitted: 'assent.approval.resubmitted.v1',
  approvalCommented: 'assent.approval.commented.v1',
  approvalEscalated: 'assent.approval.escalated.v1',
  approvalReassigned: 'assent.approval.reassigned.v1',
  approvalSnoozed: 'assent.approval.snoozed.v1',
  approvalUnsnoozed: 'assent.approval.unsnoozed.v1',
} as const;

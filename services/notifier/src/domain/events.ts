/** CloudEvent types the notifier reacts to (payloads in proto/assent/events/v1/events.proto). */
export const eventTypes = {
  approvalRequested: 'assent.approval.requested.v1',
  approvalVoted: 'assent.approval.voted.v1',
  approvalDecided: 'assent.approval.decided.v1',
  approvalCancelled: 'assent.approval.cancelled.v1',
  approvalExpired: 'assent.approval.expired.v1',
} as const;

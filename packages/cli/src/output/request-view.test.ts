import { describe, expect, it } from 'vitest';
import { approvalsv1 } from '@assent/proto';
import { editLines, parameterLine, renderRequest } from './request-view.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 9, minutes));

/** A refund approved by bob and carol before its start: carol lowered the amount and shortened the grant. */
const deferred = approvalsv1.ApprovalRequest.fromPartial({
  id: '01JREFUND',
  state: approvalsv1.RequestState.REQUEST_STATE_DEFERRED,
  action: 'refunds.issue',
  resource: 'order/1042',
  requester: 'alice',
  approvers: ['user:bob', 'user:carol', 'user:erin'],
  quorum: 2,
  submission: 2,
  submissions: [
    { number: 1, at: at(0) },
    { number: 2, at: at(5), editedBy: 'carol' },
  ],
  parameters: { amount: 80, currency: 'EUR' },
  effectiveAt: at(60),
  grantStartsAt: at(60),
  grantExpiresAt: at(90),
  grantDurationSeconds: '1800',
  maxGrantDurationSeconds: '14400',
  approverEditable: ['grant_duration_seconds', 'parameters.amount'],
  acknowledgements: [
    { id: 'checked-order', text: 'I checked the order.' },
    { id: 'customer-contacted', text: 'I confirmed the refund with the customer.' },
  ],
  edits: [
    {
      by: 'carol',
      at: at(5),
      submission: 2,
      reason: 'too high',
      changes: [
        { field: 'parameters.amount', from: 120, to: 80 },
        { field: 'grant_duration_seconds', from: 3600, to: 1800 },
      ],
    },
    { by: 'bob', at: at(6), submission: 2, reason: '', changes: [{ field: 'parameters.note', from: 'call first', to: null }] },
  ],
  votes: [
    { approver: 'user:carol', outcome: approvalsv1.Outcome.OUTCOME_APPROVE, comment: 'too high', at: at(5), submission: 2, acknowledged: ['checked-order', 'customer-contacted'] },
    { approver: 'user:bob', outcome: approvalsv1.Outcome.OUTCOME_COMMENT, comment: 'looking', at: at(6), submission: 2 },
  ],
});

describe('renderRequest', () => {
  const out = renderRequest(deferred);

  it('says a deferred request is approved and when it takes effect', () => {
    expect(out).toMatch(/^state: +deferred \(approved; takes effect at 2026-12-01T10:00:00\.000Z\)$/m);
    expect(out).toMatch(/^grant: +starts at 2026-12-01T10:00:00\.000Z, then lasts until it expires$/m);
    expect(out).toMatch(/^grant starts: +2026-12-01T10:00:00\.000Z$/m);
    expect(out).toMatch(/^effective at: +2026-12-01T10:00:00\.000Z$/m);
  });

  it('shows parameters, grant length and cap, what approvers may edit, and who opened the submission', () => {
    expect(out).toMatch(/^parameters: +amount=80, currency="EUR"$/m);
    expect(out).toMatch(/^grant length: +30m \(up to 4h\)$/m);
    expect(out).toMatch(/^approvers may edit: +grant_duration_seconds, parameters\.amount$/m);
    expect(out).toMatch(/^submission: +2 \(opened by carol's edit\)$/m);
  });

  it('lists the acknowledgements, the edits as a diff, and who ticked what', () => {
    expect(out).toContain(
      [
        'acknowledgements (each approver ticks every one: --ack <id>):',
        '  ID                  STATEMENT',
        '  checked-order       I checked the order.',
        '  customer-contacted  I confirmed the refund with the customer.',
        'edits:',
        '  2026-12-01T09:05:00.000Z  carol changed parameters.amount: 120 → 80 (too high)',
        '  2026-12-01T09:05:00.000Z  carol changed grant_duration_seconds: 1h → 30m (too high)',
        '  2026-12-01T09:06:00.000Z  bob changed parameters.note: "call first" → (unset)',
        'history:',
      ].join('\n'),
    );
    expect(out).toMatch(/^ {2}WHO +OUTCOME +SUBMISSION +AT +ACKNOWLEDGED +REASON$/m);
    expect(out).toMatch(/^ {2}user:carol +approve +2 +2026-12-01T09:05:00\.000Z +checked-order, customer-contacted +too high$/m);
    expect(out).toMatch(/^ {2}user:bob +comment +2 +2026-12-01T09:06:00\.000Z +- +looking$/m);
  });

  it('leaves the new sections out of a request without them', () => {
    const plain = renderRequest(
      approvalsv1.ApprovalRequest.fromPartial({
        id: '01JPLAIN',
        state: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
        grantExpiresAt: at(60),
        grantDurationSeconds: '3600',
        votes: [{ approver: 'user:bob', outcome: approvalsv1.Outcome.OUTCOME_APPROVE, comment: 'ok', at: at(1), submission: 1 }],
      }),
    );
    expect(plain).toMatch(/^state: +approved$/m);
    expect(plain).toMatch(/^parameters: +-$/m);
    expect(plain).toMatch(/^grant length: +1h$/m);
    expect(plain).toMatch(/^grant: +active until it expires$/m);
    expect(plain).not.toMatch(/acknowledgements|edits:|ACKNOWLEDGED/);
    expect(plain).toMatch(/^ {2}WHO +OUTCOME +SUBMISSION +AT +REASON$/m);
  });
});

describe('renderRequest: re-requests and delegates', () => {
  const again = renderRequest(
    approvalsv1.ApprovalRequest.fromPartial({
      id: '01JAGAIN',
      state: approvalsv1.RequestState.REQUEST_STATE_PENDING,
      attempt: 3,
      previousRequestId: '01JBEFORE',
      votes: [
        { approver: 'erin', onBehalfOf: 'bob', outcome: approvalsv1.Outcome.OUTCOME_APPROVE, comment: 'for bob while away', at: at(1), submission: 1 },
        { approver: 'carol', outcome: approvalsv1.Outcome.OUTCOME_COMMENT, comment: 'fine', at: at(2), submission: 1 },
      ],
    }),
  );

  it('shows which attempt a re-request is and the request before it', () => {
    expect(again).toMatch(/^attempt: +3 \(re-request; previous: 01JBEFORE\)$/m);
  });

  it("shows a delegate's vote with the away approver it was for", () => {
    expect(again).toMatch(/^ {2}erin \(for bob\) +approve +1 +2026-12-01T09:01:00\.000Z +for bob while away$/m);
    expect(again).toMatch(/^ {2}carol +comment +1 +2026-12-01T09:02:00\.000Z +fine$/m);
  });

  it('leaves the attempt out of a first request', () => {
    expect(renderRequest(approvalsv1.ApprovalRequest.fromPartial({ id: '01JFIRST', attempt: 1 }))).toMatch(/^attempt: +-$/m);
    expect(renderRequest(approvalsv1.ApprovalRequest.fromPartial({ id: '01JOLD' }))).toMatch(/^attempt: +-$/m);
  });
});

describe('parameterLine and editLines', () => {
  it('write values as JSON, so a string "120" and the number 120 differ', () => {
    expect(parameterLine({ a: 120, b: '120', c: null, d: [1], e: { x: true } })).toBe('a=120, b="120", c=(unset), d=[1], e={"x":true}');
    expect(parameterLine(undefined)).toBe('');
  });

  it('shows effective_at changes with their times, and a value that appears from nothing', () => {
    const lines = editLines([
      approvalsv1.RequestEdit.fromPartial({ by: 'erin', at: at(0), changes: [{ field: 'effective_at', from: null, to: '2026-12-02T09:00:00.000Z' }, { field: 'parameters.memo', from: undefined, to: 'x' }] }),
    ]);
    expect(lines).toEqual(['2026-12-01T09:00:00.000Z  erin changed effective_at: (unset) → "2026-12-02T09:00:00.000Z"', '2026-12-01T09:00:00.000Z  erin changed parameters.memo: (unset) → "x"']);
  });
});

import { describe, expect, it } from 'vitest';
import { approvalsv1 } from '@assent/proto';
import { delegationStatus, renderDelegation, renderDelegationList } from './delegation-view.js';

const day = (d: number) => new Date(Date.UTC(2026, 11, d, 9));
const now = day(10);

const vacation = approvalsv1.Delegation.fromPartial({
  id: '01JDELEG1',
  from: 'bob',
  to: 'erin',
  startsAt: day(8),
  endsAt: day(20),
  reason: 'vacation',
  createdBy: 'bob',
  createdAt: day(1),
});

describe('delegationStatus', () => {
  it.each([
    ['upcoming', { startsAt: day(11) }],
    ['active', {}],
    ['over', { endsAt: day(10) }],
    ['ended 2026-12-09T09:00:00.000Z by admin', { endedAt: day(9), endedBy: 'admin' }],
  ])('%s', (status, change) => {
    expect(delegationStatus({ ...vacation, ...change }, now)).toBe(status);
  });
});

describe('renderDelegation', () => {
  it('names who is away, who acts for them, the range and who set it', () => {
    expect(renderDelegation({ ...vacation, createdBy: 'admin' }, now)).toBe(
      [
        'id:       01JDELEG1',
        'away:     bob',
        'delegate: erin (acts for bob)',
        'starts:   2026-12-08T09:00:00.000Z',
        'ends:     2026-12-20T09:00:00.000Z',
        'status:   active',
        'reason:   vacation',
        'set by:   admin at 2026-12-01T09:00:00.000Z',
      ].join('\n'),
    );
  });
});

describe('renderDelegationList', () => {
  const res = approvalsv1.ListDelegationsResponse.fromPartial({
    given: [vacation],
    received: [{ ...vacation, id: '01JDELEG2', from: 'carol', to: 'bob', startsAt: day(21), endsAt: day(24), reason: 'conference', createdBy: 'carol' }],
  });

  it('prints the given and the received table, for the caller or a named user', () => {
    expect(renderDelegationList(res, undefined, now)).toBe(
      [
        'given (TO acts for you):',
        '  ID         TO    STARTS                    ENDS                      STATUS  SET BY  REASON',
        '  01JDELEG1  erin  2026-12-08T09:00:00.000Z  2026-12-20T09:00:00.000Z  active  bob     vacation',
        'received (you act for FROM):',
        '  ID         FROM   STARTS                    ENDS                      STATUS    SET BY  REASON',
        '  01JDELEG2  carol  2026-12-21T09:00:00.000Z  2026-12-24T09:00:00.000Z  upcoming  carol   conference',
      ].join('\n'),
    );
    const out = renderDelegationList(res, 'bob', now);
    expect(out).toMatch(/^given \(TO acts for bob\):$/m);
    expect(out).toMatch(/^received \(bob acts for FROM\):$/m);
  });

  it('says (none) for an empty side', () => {
    expect(renderDelegationList(approvalsv1.ListDelegationsResponse.fromPartial({}), undefined, now)).toBe('given (TO acts for you):\n  (none)\nreceived (you act for FROM):\n  (none)');
  });
});

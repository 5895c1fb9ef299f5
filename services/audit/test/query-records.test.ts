import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform/domain';
import { queryRecords, type QueryRecordsInput } from '../src/domain/commands/query-records.js';
import { recordEvents } from '../src/domain/commands/record-events.js';
import { memoryDeps, service, sourceEvent, userOf } from './support/deps.js';

const day = 86_400_000;
const t0 = Date.UTC(2030, 0, 1);
const input = (over: Partial<QueryRecordsInput> = {}): QueryRecordsInput => ({
  tenant: 'acme',
  actor: '',
  action: '',
  target: '',
  outcome: '',
  category: '',
  since: new Date(t0),
  until: new Date(t0 + day),
  pageSize: 0,
  pageToken: '',
  ...over,
});

/** alice requests r0..r4 (one a minute), bob is refused on r1 and r3, carol applies a policy. */
async function seeded() {
  const deps = memoryDeps();
  const events = [];
  for (let i = 0; i < 5; i++) {
    events.push(sourceEvent({ subject: `request/r${i}`, time: new Date(t0 + i * 60_000), data: { request: { id: `r${i}`, requester: 'alice', policyHash: 'ph' } } }));
    if (i % 2 === 1) {
      events.push(sourceEvent({ type: 'assent.approval.vote_refused.v1', subject: `request/r${i}`, time: new Date(t0 + i * 60_000 + 1), data: { requestId: `r${i}`, principal: 'bob', outcome: 'OUTCOME_APPROVE', reason: 'not an approver', code: 'NOT_ELIGIBLE' } }));
    }
  }
  events.push(sourceEvent({ type: 'assent.policy.updated.v1', source: '/assent/approvals', subject: 'policy/p1', time: new Date(t0 + 10 * 60_000), data: { policy: { id: 'p1', hash: 'h1' }, appliedBy: 'carol', version: '2', previousHash: 'h0' } }));
  await recordEvents(deps, events);
  return deps;
}

describe('queryRecords', () => {
  it('finds records by actor, action, target, outcome and category, oldest first', async () => {
    const deps = await seeded();
    const actors = async (over: Partial<QueryRecordsInput>) => (await queryRecords(deps, service, input(over))).records.map((r) => `${r.canonical?.action}:${r.actor}:${r.canonical?.target.id}`);
    expect(await actors({ actor: 'bob' })).toEqual(['approval.vote:bob:r1', 'approval.vote:bob:r3']);
    expect(await actors({ outcome: 'denied', category: 'security' })).toEqual(['approval.vote:bob:r1', 'approval.vote:bob:r3']);
    expect(await actors({ target: 'request/r3' })).toEqual(['approval.request:alice:r3', 'approval.vote:bob:r3']);
    expect(await actors({ action: 'policy.apply', actor: 'carol' })).toEqual(['policy.apply:carol:p1']);
    expect(await actors({ actor: 'mallory' })).toEqual([]);
  });

  it('pages forwards to the end and back to the start with next and previous tokens', async () => {
    const deps = await seeded();
    const seen: number[][] = [];
    let page = await queryRecords(deps, service, input({ pageSize: 3 }));
    expect(page.previousPageToken).toBe('');
    seen.push(page.records.map((r) => r.sequence));
    while (page.nextPageToken) {
      page = await queryRecords(deps, service, input({ pageSize: 3, pageToken: page.nextPageToken }));
      seen.push(page.records.map((r) => r.sequence));
    }
    expect(seen).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    const back = await queryRecords(deps, service, input({ pageSize: 3, pageToken: page.previousPageToken }));
    expect(back.records.map((r) => r.sequence)).toEqual([4, 5, 6]);
    const start = await queryRecords(deps, service, input({ pageSize: 3, pageToken: back.previousPageToken }));
    expect(start.records.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(start.previousPageToken).toBe('');
    expect((await queryRecords(deps, service, input({ pageSize: 3, pageToken: start.nextPageToken }))).records.map((r) => r.sequence)).toEqual([4, 5, 6]);
  });

  it('defaults the window to the 31 days before now and keeps it on every page, even as time moves on', async () => {
    const deps = await seeded();
    const first = await queryRecords({ ...deps, clock: { now: () => new Date(t0 + day) } }, service, input({ since: undefined, until: undefined, pageSize: 2 }));
    expect({ since: first.since, until: first.until }).toEqual({ since: new Date(t0 - 30 * day), until: new Date(t0 + day) });
    expect(first.records.map((r) => r.sequence)).toEqual([1, 2]);
    const later = { ...deps, clock: { now: () => new Date(t0 + 40 * day) } };
    const next = await queryRecords(later, service, input({ since: undefined, until: undefined, pageSize: 2, pageToken: first.nextPageToken }));
    expect({ since: next.since, until: next.until }).toEqual({ since: first.since, until: first.until });
    expect(next.records.map((r) => r.sequence)).toEqual([3, 4]);
  });

  it.each([
    ['an inverted window', { since: new Date(t0 + day), until: new Date(t0) }, 'since', /must be before until/],
    ['an empty window', { since: new Date(t0), until: new Date(t0) }, 'since', /must be before until/],
    ['a window wider than 31 days', { since: new Date(t0), until: new Date(t0 + 32 * day) }, 'until', /at most 31 days per query/],
    ['a since more than 31 days before now, with no until', { since: new Date(t0 - 40 * day), until: undefined }, 'until', /at most 31 days per query/],
    ['a token that is not one', { pageToken: 'garbage' }, 'page_token', /not a page token returned by QueryRecords/],
    ['a forged token', { pageToken: Buffer.from('{"v":1,"d":"x"}').toString('base64url') }, 'page_token', /not a page token/],
    ['an unknown outcome', { outcome: 'maybe' }, 'outcome', /success, denied/],
    ['an unknown category', { category: 'fun' }, 'category', /approval, access, governance, security/],
    ['a target without a kind', { target: 'r1' }, 'target', /kind\/id/],
    ['a negative page size', { pageSize: -1 }, 'page_size', /negative/],
  ])('answers INVALID_ARGUMENT for %s, stating the rule', async (_, over, field, message) => {
    const err = await queryRecords(await seeded(), service, input(over)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations).toEqual([{ field, description: expect.stringMatching(message) }]);
  });

  it('refuses a token issued for other filters, another tenant or another window', async () => {
    const deps = await seeded();
    const { nextPageToken } = await queryRecords(deps, service, input({ actor: 'alice', pageSize: 1 }));
    await expect(queryRecords(deps, service, input({ actor: 'bob', pageToken: nextPageToken }))).rejects.toThrow(/different tenant or filters/);
    await expect(queryRecords(deps, service, input({ tenant: 'globex', actor: 'alice', pageToken: nextPageToken }))).rejects.toThrow(/different tenant or filters/);
    await expect(queryRecords(deps, service, input({ actor: 'alice', until: new Date(t0 + 2 * day), pageToken: nextPageToken }))).rejects.toThrow(/different since\/until/);
  });

  it('keeps tenants apart: another tenant is PERMISSION_DENIED, one that does not exist NOT_FOUND', async () => {
    const deps = await seeded();
    await expect(queryRecords(deps, userOf('globex', 'mallory'), input())).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await queryRecords(deps, userOf('globex', 'mallory'), input({ tenant: 'globex' }))).records).toEqual([]);
    expect((await queryRecords(deps, userOf('acme'), input({ actor: 'bob' }))).records).toHaveLength(2);
    await expect(queryRecords(deps, service, input({ tenant: 'nobody' }))).rejects.toBeInstanceOf(NotFoundError);
  });
});

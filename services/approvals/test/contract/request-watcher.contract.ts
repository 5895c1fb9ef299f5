import { describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import type { RequestRepository, RequestWatcher } from '../../src/domain/ports.js';
import { emptySchedule } from '../../src/domain/policy-rules.js';
import type { ApprovalRequest, StoredRequest } from '../../src/domain/types.js';

export interface WatchHarness {
  requests: RequestRepository;
  watcher: RequestWatcher;
}

// Monotonic, so ids sort in creation order as the service's do.
const ulid = monotonicFactory();

export function pendingRequest(tenant: string, id = ulid()): ApprovalRequest {
  const at = new Date('2030-01-01T00:00:00.000Z');
  return {
    id,
    tenant,
    action: 'payouts.change_details',
    resource: 'payout-account/42',
    requester: 'alice',
    justification: 'vendor changed bank',
    state: 'PENDING',
    policyId: 'payout-details-change',
    policyHash: 'ab'.repeat(32),
    requirements: [{ name: 'approvers', approvers: ['user:bob'], quorum: 1 }],
    allowSelfApproval: false,
    allowBreakGlass: true,
    grantDurationSeconds: 3600,
    slackChannel: 'C0PAYOUTS',
    schedule: { ...emptySchedule(), slaSeconds: 3600, reminderAfterSeconds: [600], escalation: [{ afterSeconds: 1800, approvers: ['group:security#member'], mode: 'ADD' }] },
    timers: {
      submittedAt: at,
      dueAt: new Date('2030-01-01T01:00:00.000Z'),
      overdue: false,
      expiresAt: undefined,
      remindersSent: 0,
      nextReminderAt: new Date('2030-01-01T00:10:00.000Z'),
      escalations: 0,
      nextEscalationAt: new Date('2030-01-01T00:30:00.000Z'),
    },
    wakeAt: new Date('2030-01-01T00:05:00.000Z'),
    submission: 1,
    submissions: [{ number: 1, justification: 'vendor changed bank', at, editedBy: '' }],
    acknowledgements: [{ id: 'called-vendor', text: 'I called the vendor' }],
    approverEditable: ['grant_duration_seconds', 'parameters.amount'],
    maxGrantDurationSeconds: 7200,
    parametersSchema: { type: 'object', properties: { amount: { type: 'number' } } },
    parameters: { amount: 120 },
    effectiveAt: new Date('2030-01-02T00:00:00.000Z'),
    grantStartsAt: undefined,
    edits: [],
    previousRequestId: '',
    attempt: 1,
    extendsRequestId: '',
    grantExtensions: [{ at, seconds: 600, reason: 'longer', requestId: '', expiresAt: new Date('2030-01-01T02:00:00.000Z') }],
    extensionRequiresApproval: false,
    requireStepUpToApprove: true,
    tier: 'medium',
    tierConditions: [
      { name: 'large', when: 'context.amount > 10000' },
      { name: 'medium', when: 'context.amount > 100' },
    ],
    votes: [],
    snoozes: [{ user: 'bob', until: new Date('2030-01-01T00:05:00.000Z') }],
    handoffs: [{ from: 'dave', to: 'bob', at, reason: 'on leave', requirements: ['approvers'] }],
    breakGlass: undefined,
    grantClosed: undefined,
    closedBy: '',
    closeReason: '',
    createdAt: at,
    updatedAt: at,
    decidedAt: undefined,
    grantExpiresAt: undefined,
    version: 1,
  };
}

/** Next revision, or a failure naming what was awaited (the watch is pushed, never polled). */
async function next(it: AsyncIterator<StoredRequest>, what: string): Promise<StoredRequest> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    it.next(),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no revision within 5 s: ${what}`)), 5_000))),
  ]).finally(() => clearTimeout(timer));
  if (r.done) throw new Error(`watch ended before ${what}`);
  return r.value;
}

/** One contract for every RequestWatcher: the JetStream ordered consumer and its in-memory twin. */
export function requestWatcherContract(name: string, make: () => Promise<WatchHarness>, tenantOf: () => string): void {
  describe(`RequestWatcher contract: ${name}`, () => {
    it('yields every revision after the given etag once, in order, including ones written before the watch', async () => {
      const { requests, watcher } = await make();
      const r = pendingRequest(tenantOf());
      const v1 = await requests.create(r, []);
      const v2 = await requests.update({ ...r, version: 2, justification: 'b' }, v1.etag, []);
      const ac = new AbortController();
      const it = watcher.watch(r.tenant, r.id, v1.etag, ac.signal)[Symbol.asyncIterator]();
      expect(await next(it, 'revision 2 (written before the watch)')).toMatchObject({ etag: v2.etag, request: { version: 2, justification: 'b' } });
      const v3 = await requests.update({ ...r, version: 3, state: 'APPROVED' }, v2.etag, []);
      const got = await next(it, 'revision 3');
      expect(got.etag).toBe(v3.etag);
      expect(got.request).toEqual({ ...r, version: 3, state: 'APPROVED' });
      ac.abort();
      expect((await it.next()).done).toBe(true);
    });

    it('never yields a write that lost its compare-and-set, nor another request\'s', async () => {
      const { requests, watcher } = await make();
      const tenant = tenantOf();
      const r = pendingRequest(tenant);
      const other = pendingRequest(tenant);
      const elsewhere = pendingRequest(`${tenant}-x`, r.id);
      const v1 = await requests.create(r, []);
      const ac = new AbortController();
      const it = watcher.watch(tenant, r.id, v1.etag, ac.signal)[Symbol.asyncIterator]();
      await requests.create(other, []);
      await requests.create(elsewhere, []);
      const results = await Promise.allSettled([
        requests.update({ ...r, version: 2, state: 'APPROVED' }, v1.etag, []),
        requests.update({ ...r, version: 2, state: 'DECLINED' }, v1.etag, []),
      ]);
      const won = results.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
      expect(won).toHaveLength(1);
      const winner = won[0] as StoredRequest;
      const v3 = await requests.update({ ...winner.request, version: 3, justification: 'last' }, winner.etag, []);
      const seen = [await next(it, 'the winning revision'), await next(it, 'revision 3')];
      expect(seen.map((s) => [s.etag, s.request.state, s.request.version])).toEqual([
        [winner.etag, winner.request.state, 2],
        [v3.etag, winner.request.state, 3],
      ]);
      ac.abort();
      expect((await it.next()).done).toBe(true);
    });

    it('ends a waiting watch when the signal aborts, and yields nothing after an abort', async () => {
      const { requests, watcher } = await make();
      const r = pendingRequest(tenantOf());
      const v1 = await requests.create(r, []);
      const ac = new AbortController();
      const it = watcher.watch(r.tenant, r.id, v1.etag, ac.signal)[Symbol.asyncIterator]();
      const pending = it.next();
      setTimeout(() => ac.abort(), 50);
      expect((await pending).done).toBe(true);

      const aborted = AbortSignal.abort();
      const late = watcher.watch(r.tenant, r.id, 0, aborted)[Symbol.asyncIterator]();
      expect((await late.next()).done).toBe(true);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, PermissionDeniedError, UnavailableError, type AssentEvent } from '@assent/platform';
import { MemoryRequestRepository } from '../src/adapters/memory/request-repository.js';
import { createRequest, type CreateRequestResult } from '../src/domain/commands/create-request.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import type { ApprovalRequest, StoredRequest } from '../src/domain/types.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const keyed = { tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: 'k-1' };

/** A request store whose next create fails like a publish timeout: before the write, or after it landed. */
class FlakyRequests extends MemoryRequestRepository {
  failNext: 'before-write' | 'after-write' | undefined;
  override async create(request: ApprovalRequest, events: AssentEvent[]): Promise<StoredRequest> {
    const fail = this.failNext;
    this.failNext = undefined;
    if (fail === 'before-write') throw new UnavailableError('publish timed out');
    const stored = await super.create(request, events);
    if (fail === 'after-write') throw new UnavailableError('publish timed out');
    return stored;
  }
}

async function setup() {
  const m = memoryDeps();
  const requests = new FlakyRequests();
  m.deps.requests = requests;
  await putPolicy(m.deps, user('root', 'acme', ['admin']), 'acme', payoutsPolicy);
  return { ...m, requests };
}

const idOf = (r: CreateRequestResult) => (r.alreadyAllowed ? undefined : r.request.id);
const requested = (m: { requests: MemoryRequestRepository }) => m.requests.emitted.filter((e) => e.type === 'assent.approval.requested.v1');

describe('createRequest with an idempotency key', () => {
  it('makes one request for concurrent calls with one key', async () => {
    const m = await setup();
    const results = await Promise.all(Array.from({ length: 8 }, () => createRequest(m.deps, user('alice'), keyed)));
    const ids = new Set(results.map(idOf));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeDefined();
    expect(requested(m)).toHaveLength(1);
    expect((await m.deps.requests.list('acme', { state: undefined, limit: 100, after: undefined })).requests).toHaveLength(1);
  });

  it('returns the request on a retry after a write that timed out but landed, without a duplicate', async () => {
    const m = await setup();
    m.requests.failNext = 'after-write';
    await expect(createRequest(m.deps, user('alice'), keyed)).rejects.toBeInstanceOf(UnavailableError);
    const retry = await createRequest(m.deps, user('alice'), keyed);
    const [only] = (await m.deps.requests.list('acme', { state: undefined, limit: 100, after: undefined })).requests;
    expect(idOf(retry)).toBe(only?.id);
    expect(requested(m)).toHaveLength(1);
  });

  it('creates the request under the bound id on a retry after a write that failed', async () => {
    const m = await setup();
    m.requests.failNext = 'before-write';
    await expect(createRequest(m.deps, user('alice'), keyed)).rejects.toBeInstanceOf(UnavailableError);
    expect(requested(m)).toHaveLength(0);
    const bound = await m.deps.idempotency.bind('acme', keyed.idempotencyKey, 'not-this-one');
    const retry = await createRequest(m.deps, user('alice'), keyed);
    expect(idOf(retry)).toBe(bound);
    expect(requested(m)).toHaveLength(1);
  });

  it('creates nothing on DENY or ALLOW, and a later call with the key decides afresh', async () => {
    const m = await setup();
    await expect(createRequest(m.deps, user('mallory'), { ...keyed, idempotencyKey: 'k-deny' })).rejects.toBeInstanceOf(PermissionDeniedError);
    m.authz.grants.set('acme|alice|payouts.change_details|payout-account/42', { start: new Date('2020-01-01T00:00:00Z'), end: new Date('2030-01-01T00:00:00Z') });
    expect(await createRequest(m.deps, user('alice'), keyed)).toMatchObject({ alreadyAllowed: true });
    expect(requested(m)).toHaveLength(0);
    m.authz.grants.clear();
    const opened = await createRequest(m.deps, user('alice'), keyed);
    expect(idOf(opened)).toBe(await m.deps.idempotency.bind('acme', keyed.idempotencyKey, 'x'));
    expect(requested(m)).toHaveLength(1);
  });

  it('refuses a key reused for another resource or by another requester', async () => {
    const m = await setup();
    await createRequest(m.deps, user('alice'), keyed);
    await expect(createRequest(m.deps, user('alice'), { ...keyed, resource: 'payout-account/43' })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(createRequest(m.deps, user('bob'), keyed)).rejects.toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(requested(m)).toHaveLength(1);
  });
});

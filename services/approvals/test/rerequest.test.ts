import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, RateLimitedError } from '@assent/platform';
import { cancelRequest } from '../src/domain/commands/cancel-request.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import type { ApprovalRequest } from '../src/domain/types.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const HOUR = 3_600_000;
const create = { tenant: 'acme', action: payoutsPolicy.action, resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };

async function setup(policy = { ...payoutsPolicy, rerequestCooldownSeconds: 3600, maxRequestsPerDay: 3 }) {
  const m = memoryDeps();
  await putPolicy(m.deps, admin, 'acme', policy);
  const open = async (over: Partial<typeof create> = {}, who = 'alice'): Promise<ApprovalRequest> => {
    const r = await createRequest(m.deps, user(who), { ...create, ...over });
    if (r.alreadyAllowed) throw new Error('unexpected');
    return r.request;
  };
  const decline = (id: string) => decideRequest(m.deps, user('bob'), { tenant: 'acme', id, comment: 'not expected' }, 'DECLINE');
  return { ...m, open, decline };
}

describe('re-requests', () => {
  it('links each request to the previous one for the same action and resource, and counts attempts', async () => {
    const m = await setup();
    const first = await m.open();
    expect(first).toMatchObject({ previousRequestId: '', attempt: 1 });
    await cancelRequest(m.deps, user('alice'), { tenant: 'acme', id: first.id, reason: 'wrong account' });
    const second = await m.open();
    expect(second).toMatchObject({ previousRequestId: first.id, attempt: 2 });
    // Another resource, or another requester, is another lineage.
    expect(await m.open({ resource: 'payout-account/43' })).toMatchObject({ previousRequestId: '', attempt: 1 });
  });

  it('refuses asking again during the cooldown after a decline, saying when, and allows it after', async () => {
    const m = await setup();
    const first = await m.open();
    await m.decline(first.id);
    m.clock.t = new Date(m.clock.t.getTime() + 30 * 60_000);
    const refusal = await m.open().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(FailedPreconditionError);
    expect((refusal as Error).message).toContain('lets you ask again from 2026-01-01T01:00:00.000Z');
    m.clock.t = new Date(m.clock.t.getTime() + 30 * 60_000);
    expect(await m.open()).toMatchObject({ previousRequestId: first.id, attempt: 2 });
  });

  it('limits requests for the same thing per day, with the wait in the refusal', async () => {
    const m = await setup();
    for (let i = 0; i < 3; i++) {
      const r = await m.open();
      await cancelRequest(m.deps, user('alice'), { tenant: 'acme', id: r.id, reason: 'retry' });
      m.clock.t = new Date(m.clock.t.getTime() + HOUR);
    }
    const limited = await m.open().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(21 * HOUR);
    m.clock.t = new Date(m.clock.t.getTime() + 21 * HOUR);
    expect((await m.open()).attempt).toBe(4);
  });

  it('counts a retry with the same idempotency key once', async () => {
    const m = await setup({ ...payoutsPolicy, rerequestCooldownSeconds: 0, maxRequestsPerDay: 1 });
    const a = await m.open({ idempotencyKey: 'k1' });
    const b = await m.open({ idempotencyKey: 'k1' });
    expect(b.id).toBe(a.id);
    expect(b.attempt).toBe(1);
  });
});

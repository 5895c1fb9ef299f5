import { describe, expect, it } from 'vitest';
import { NotFoundError, PermissionDeniedError } from '@assent/platform';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { watchRequest } from '../src/domain/commands/watch-request.js';
import type { ApprovalRequest } from '../src/domain/types.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const create = { tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };

async function pending() {
  const m = memoryDeps();
  await putPolicy(m.deps, user('root', 'acme', ['admin']), 'acme', payoutsPolicy);
  const r = await createRequest(m.deps, user('alice'), create);
  if (r.alreadyAllowed) throw new Error('unexpected');
  return { ...m, id: r.request.id };
}

async function next(it: AsyncIterator<ApprovalRequest>): Promise<ApprovalRequest | undefined> {
  const r = await it.next();
  return r.done ? undefined : r.value;
}

describe('watchRequest', () => {
  it('sends the current state, then each revision, and ends once the grant is written', async () => {
    const m = await pending();
    const it = watchRequest(m.deps, user('alice'), { tenant: 'acme', id: m.id }, new AbortController().signal);
    expect(await next(it)).toMatchObject({ state: 'PENDING', version: 1 });
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE');
    expect(await next(it)).toMatchObject({ state: 'APPROVED', version: 2, grantExpiresAt: undefined });
    await applyGrant(m.deps, 'acme', m.id);
    const granted = await next(it);
    expect(granted?.version).toBe(3);
    expect(granted?.grantExpiresAt).toBeInstanceOf(Date);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('ends at once on a declined request, and when the caller aborts', async () => {
    const m = await pending();
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'no' }, 'DECLINE');
    const settled = watchRequest(m.deps, user('alice'), { tenant: 'acme', id: m.id }, new AbortController().signal);
    expect(await next(settled)).toMatchObject({ state: 'DECLINED' });
    expect((await settled.next()).done).toBe(true);

    const p = await pending();
    const ac = new AbortController();
    const it = watchRequest(p.deps, user('alice'), { tenant: 'acme', id: p.id }, ac.signal);
    expect(await next(it)).toMatchObject({ state: 'PENDING' });
    const waiting = it.next();
    ac.abort();
    expect((await waiting).done).toBe(true);
  });

  it('answers NOT_FOUND for an unknown request and refuses other tenants', async () => {
    const m = await pending();
    const signal = new AbortController().signal;
    await expect(watchRequest(m.deps, user('alice'), { tenant: 'acme', id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }, signal).next()).rejects.toBeInstanceOf(NotFoundError);
    await expect(watchRequest(m.deps, user('mallory', 'globex'), { tenant: 'acme', id: m.id }, signal).next()).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

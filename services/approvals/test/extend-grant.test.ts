import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, PermissionDeniedError } from '@assent/platform';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { extendGrant } from '../src/domain/commands/extend-grant.js';
import { fireTimers } from '../src/domain/commands/fire-timers.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { revokeGrant } from '../src/domain/commands/revoke-grant.js';
import type { PolicyInput } from '../src/domain/policy-rules.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const MIN = 60_000;
const create = { tenant: 'acme', action: payoutsPolicy.action, resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };

/** A 1-hour grant, capped at 3 hours, approved and written. */
async function granted(policy: Partial<PolicyInput> = {}) {
  const m = memoryDeps();
  await putPolicy(m.deps, admin, 'acme', { ...payoutsPolicy, grantDurationSeconds: 3600, maxGrantDurationSeconds: 3 * 3600, ...policy });
  const r = await createRequest(m.deps, user('alice'), create);
  if (r.alreadyAllowed) throw new Error('unexpected');
  const id = r.request.id;
  await decideRequest(m.deps, user('bob'), { tenant: 'acme', id, comment: 'ok' }, 'APPROVE');
  await applyGrant(m.deps, 'acme', id);
  const start = m.clock.t.getTime();
  const extend = (seconds: number, who = 'alice') => extendGrant(m.deps, user(who), { tenant: 'acme', id, extendBySeconds: seconds, reason: 'migration runs long' });
  const check = async () => (await m.authz.check('acme', 'alice', create.action, create.resource)).decision;
  return { ...m, id, start, extend, check };
}

describe('grant extension', () => {
  it('extends at once where the policy allows it, keeping the start, up to the cap, and the grant ends later', async () => {
    const m = await granted();
    m.clock.t = new Date(m.start + 50 * MIN);
    const { request, extensionRequest } = await m.extend(3600);
    expect(extensionRequest).toBeUndefined();
    expect(request.grantExpiresAt).toEqual(new Date(m.start + 120 * MIN));
    expect(request.grantExtensions).toEqual([{ at: new Date(m.start + 50 * MIN), seconds: 3600, reason: 'migration runs long', requestId: '', expiresAt: new Date(m.start + 120 * MIN) }]);
    expect(request.wakeAt).toEqual(request.grantExpiresAt);
    expect(m.requests.emitted.map((e) => e.type)).toContain('assent.approval.grant_extended.v1');
    m.clock.t = new Date(m.start + 90 * MIN);
    expect((await fireTimers(m.deps, 'acme', m.id)).grantClosed).toBeUndefined();
    expect(await m.check()).toBe('ALLOW');
    await expect(m.extend(2 * 3600)).rejects.toThrow(/at most 3600: policy payout-details-change caps a grant at 10800/);
    m.clock.t = new Date(m.start + 120 * MIN);
    expect((await fireTimers(m.deps, 'acme', m.id)).grantClosed?.kind).toBe('ended');
    expect(await m.check()).toBe('NEEDS_APPROVAL');
  });

  it('opens an extension request where the policy needs approval, and extends only once it is approved', async () => {
    const m = await granted({ extensionRequiresApproval: true });
    const { request, extensionRequest } = await m.extend(1800);
    expect(request.grantExpiresAt).toEqual(new Date(m.start + 60 * MIN));
    expect(extensionRequest).toMatchObject({ state: 'PENDING', extendsRequestId: m.id, previousRequestId: m.id, grantDurationSeconds: 1800, justification: 'migration runs long' });
    const ext = extensionRequest!.id;
    await decideRequest(m.deps, user('carol'), { tenant: 'acme', id: ext, comment: 'fine' }, 'APPROVE');
    await applyGrant(m.deps, 'acme', ext);
    await applyGrant(m.deps, 'acme', ext);
    const a = (await m.deps.requests.get('acme', m.id))!.request;
    expect(a.grantExpiresAt).toEqual(new Date(m.start + 90 * MIN));
    expect(a.grantExtensions).toHaveLength(1);
    expect(a.grantExtensions[0]?.requestId).toBe(ext);
    const b = (await m.deps.requests.get('acme', ext))!.request;
    expect(b.grantExpiresAt).toEqual(a.grantExpiresAt);
  });

  it('extends nothing when the grant was revoked before the extension was approved', async () => {
    const m = await granted({ extensionRequiresApproval: true });
    const { extensionRequest } = await m.extend(1800);
    await revokeGrant(m.deps, user('bob'), { tenant: 'acme', id: m.id, reason: 'incident over' });
    await decideRequest(m.deps, user('carol'), { tenant: 'acme', id: extensionRequest!.id, comment: 'fine' }, 'APPROVE');
    await applyGrant(m.deps, 'acme', extensionRequest!.id);
    const b = (await m.deps.requests.get('acme', extensionRequest!.id))!.request;
    expect(b.grantClosed?.reason).toMatch(/already over; nothing was extended/);
    expect(await m.check()).toBe('NEEDS_APPROVAL');
  });

  it('refuses others, a grant that is over, and a bad length, changing nothing', async () => {
    const m = await granted();
    await expect(m.extend(600, 'bob')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(m.extend(10)).rejects.toBeInstanceOf(InvalidArgumentError);
    m.clock.t = new Date(m.start + 61 * MIN);
    await expect(m.extend(600)).rejects.toBeInstanceOf(FailedPreconditionError);
    expect((await m.deps.requests.get('acme', m.id))!.request.grantExtensions).toEqual([]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, newEvent, type Principal } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { MemoryRelationStore } from '../src/adapters/memory/relation-store.js';
import { MemoryEventSink, MemoryGrantCatalog, MemoryProtectedActionRepository, MemoryTenantRepository } from '../src/adapters/memory/repositories.js';
import { listAccess } from '../src/domain/commands/list-access.js';
import { checkAccess } from '../src/domain/commands/check-access.js';
import { registerProtectedAction } from '../src/domain/commands/register-protected-action.js';
import { MemoryStepUpStore } from '../src/adapters/memory/step-up-store.js';
import { checkStepUp, stepUp } from '../src/domain/commands/step-up.js';
import { explainAccess } from '../src/domain/commands/explain-access.js';
import { batchCheck } from '../src/domain/commands/batch-check.js';
import { writeGrant } from '../src/domain/commands/write-grant.js';
import { DecisionRecorder } from '../src/domain/decision-recorder.js';
import type { AuthzDeps } from '../src/domain/ports.js';

const user = (subject: string, tenant = 'acme'): Principal => ({ subject, kind: 'user', tenant, roles: [] });
const approvalsSvc: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };
const policy = { id: 'payouts', hash: 'b'.repeat(64) };
const req = { tenant: 'acme', principal: '', action: 'payouts.change_details', resource: 'acct/1' };
/** The example: over 10,000 is the strict tier, over 1,000 the ordinary one. */
const tiered = {
  conditions: [
    { name: 'large', when: 'context.amount > 10000' },
    { name: 'medium', when: 'context.amount > 1000' },
  ],
};

async function setup() {
  const clock = { t: new Date('2030-01-01T00:00:00Z'), now() { return new Date(this.t); } };
  const relations = new MemoryRelationStore();
  const events = new MemoryEventSink();
  const deps: AuthzDeps = {
    relations,
    freshRelations: relations,
    tenants: new MemoryTenantRepository(),
    actions: new MemoryProtectedActionRepository(),
    events,
    decisions: new DecisionRecorder(events, clock, 0),
    eventFactory: { create: (e) => newEvent({ ...e, service: 'authz' }) },
    clock,
    trustedServices: ['service:approvals'],
    stepUps: new MemoryStepUpStore(() => clock.now()),
    stepUpRules: { maxAgeSeconds: 300, acr: ['mfa'], amr: ['hwk', 'otp'], windowSeconds: 900 },
    grantCatalog: new MemoryGrantCatalog(),
  };
  await deps.tenants.create({ id: 'acme', displayName: 'Acme', createdAt: clock.now() });
  await relations.addMember('acme', 'alice');
  await registerProtectedAction(deps, approvalsSvc, { tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
  // Tests count what they cause; the registration above was published (the versioning test shows it).
  events.events.length = 0;
  return { deps, events, clock };
}

describe('checkAccess', () => {
  it('answers NEEDS_APPROVAL with the policy, then ALLOW inside the grant window, then NEEDS_APPROVAL after it', async () => {
    const { deps, clock } = await setup();
    const first = await checkAccess(deps, user('alice'), req);
    expect(first).toMatchObject({ decision: 'NEEDS_APPROVAL', policy, modelId: 'memory' });
    await writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' });
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('ALLOW');
    clock.t = new Date('2030-01-01T00:10:01Z');
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('NEEDS_APPROVAL');
  });

  it('denies non-members and publishes every decision with proto-valid data before answering', async () => {
    const { deps, events } = await setup();
    const r = await checkAccess(deps, user('mallory'), req);
    expect(r.decision).toBe('DENY');
    expect(r.reason).toContain('not a member');
    expect(events.events).toHaveLength(1);
    const e = events.events[0];
    expect(e).toMatchObject({ type: 'assent.authz.checked.v1', tenantid: 'acme', id: r.decisionId });
    expect(eventsv1.AuthzChecked.fromJSON(e?.data)).toMatchObject({ principal: 'mallory', decision: 2, reason: r.reason });
  });

  it('samples only routine ALLOWs (no condition held): protected decisions and DENYs are each their own record', async () => {
    const { deps, events, clock } = await setup();
    deps.decisions = new DecisionRecorder(events, clock, 1_000);
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    const small = { ...req, context: { amount: 10 } };
    const first = await checkAccess(deps, user('alice'), small);
    expect(first).toMatchObject({ decision: 'ALLOW', matchedCondition: undefined });
    expect((await checkAccess(deps, user('alice'), small)).decisionId).toBe(first.decisionId);
    const large = { ...req, context: { amount: 20_000 } };
    const protectedIds = [(await checkAccess(deps, user('alice'), large)).decisionId, (await checkAccess(deps, user('alice'), large)).decisionId];
    const denyIds = [(await checkAccess(deps, user('mallory'), small)).decisionId, (await checkAccess(deps, user('mallory'), small)).decisionId];
    expect(new Set([first.decisionId, ...protectedIds, ...denyIds]).size).toBe(5);
    expect(events.events.filter((e) => e.type === 'assent.authz.checked.v1').map((e) => e.id)).toEqual([first.decisionId, ...protectedIds, ...denyIds]);
  });

  it('refuses bad input, other tenants, checks for someone else, and unknown tenants/actions', async () => {
    const { deps, events } = await setup();
    await expect(checkAccess(deps, user('alice'), { ...req, action: 'Nope' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(checkAccess(deps, user('alice', 'globex'), req)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(checkAccess(deps, user('alice'), { ...req, principal: 'bob' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(checkAccess(deps, user('alice'), { ...req, action: 'keys.rotate' })).rejects.toMatchObject({
      kind: 'invalid_argument',
      violations: [{ field: 'action', description: expect.stringContaining('not a registered action') }],
    });
    await expect(checkAccess(deps, user('alice', 'ghost'), { ...req, tenant: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
    expect(events.events).toHaveLength(0);
  });

  it('lets only trusted services write grants, for members only', async () => {
    const { deps } = await setup();
    const grant = { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' };
    await expect(writeGrant(deps, user('alice'), grant)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(writeGrant(deps, { ...approvalsSvc, subject: 'service:other' }, grant)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(writeGrant(deps, approvalsSvc, { ...grant, principal: 'mallory' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(writeGrant(deps, approvalsSvc, { ...grant, durationSeconds: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await writeGrant(deps, approvalsSvc, grant)).expiresAt.toISOString()).toBe('2030-01-01T00:10:00.000Z');
  });

  it('takes the grant window from grantedAt, so a retry later writes the same grant', async () => {
    const { deps, clock } = await setup();
    const grant = { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', grantedAt: new Date('2029-12-31T23:59:00Z') };
    const first = await writeGrant(deps, approvalsSvc, grant);
    clock.t = new Date('2030-01-01T00:05:00Z');
    const retry = await writeGrant(deps, approvalsSvc, grant);
    expect(retry).toEqual(first);
    expect(first.expiresAt.toISOString()).toBe('2030-01-01T00:09:00.000Z');
    await expect(writeGrant(deps, approvalsSvc, { ...grant, grantedAt: new Date(NaN) })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('step-up', () => {
  const signedIn = (subject: string, at: Date, how: { acr?: string; amr?: string[] }) => ({
    ...user(subject),
    authentication: { time: at, acr: how.acr, amr: how.amr ?? [] },
  });

  it('answers NEEDS_STEP_UP to a grant holder without a session where the action needs one, and ALLOW with one, sliding it', async () => {
    const { deps, clock } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { tenant: 'acme', action: req.action, policy, approvers: ['user:bob'], stepUpToAct: true });
    // Asking first: approval comes before step-up.
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('NEEDS_APPROVAL');
    await deps.relations.writeGrant({ tenant: 'acme', principal: 'alice', action: req.action, resource: req.resource, requestId: 'r1', condition: '', grantedAt: clock.now(), expiresAt: new Date(clock.t.getTime() + 3_600_000) });
    const needs = await checkAccess(deps, user('alice'), req);
    expect(needs).toMatchObject({ decision: 'NEEDS_STEP_UP', grantExpiresAt: undefined });
    expect(needs.reason).toContain('a sign-in within the last 300 s with acr mfa or amr hwk, otp');
    const session = await stepUp(deps, signedIn('alice', new Date(clock.t.getTime() - 60_000), { amr: ['pwd', 'otp'] }), { tenant: 'acme' });
    expect(session.expiresAt).toEqual(new Date(clock.t.getTime() + 900_000));
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('ALLOW');
    // Each use slides the window: 10 min later, then 10 min more, it still holds.
    clock.t = new Date(clock.t.getTime() + 600_000);
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('ALLOW');
    clock.t = new Date(clock.t.getTime() + 600_000);
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('ALLOW');
    // Unused for longer than the window, it is gone.
    clock.t = new Date(clock.t.getTime() + 901_000);
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe('NEEDS_STEP_UP');
  });

  it('refuses a stale or weak sign-in as insufficient_user_authentication, naming what it needs, and opens nothing', async () => {
    const { deps, clock, events } = await setup();
    const before = events.events.length;
    await expect(stepUp(deps, user('alice'), { tenant: 'acme' })).rejects.toThrow(/insufficient_user_authentication: the token carries no auth_time/);
    await expect(stepUp(deps, signedIn('alice', new Date(clock.t.getTime() - 301_000), { acr: 'mfa' }), { tenant: 'acme' })).rejects.toThrow(/301 s old \(at most 300 s\).*max_age=300/);
    await expect(stepUp(deps, signedIn('alice', clock.now(), { acr: 'pwd', amr: ['pwd', 'sms'] }), { tenant: 'acme' })).rejects.toThrow(/not a strong sign-in/);
    expect((await checkStepUp(deps, user('alice'), { tenant: 'acme', principal: '' })).session).toBeUndefined();
    expect(events.events.length).toBe(before);
    await stepUp(deps, signedIn('alice', clock.now(), { acr: 'mfa' }), { tenant: 'acme' });
    expect(events.events.at(-1)?.type).toBe('assent.authz.stepped_up.v1');
  });

  it('lets a trusted service ask about anyone and a person only about themselves', async () => {
    const { deps, clock } = await setup();
    await stepUp(deps, signedIn('bob', clock.now(), { acr: 'mfa' }), { tenant: 'acme' });
    expect((await checkStepUp(deps, approvalsSvc, { tenant: 'acme', principal: 'bob' })).session?.acr).toBe('mfa');
    await expect(checkStepUp(deps, user('alice'), { tenant: 'acme', principal: 'bob' })).rejects.toThrow(/only ask about its own/);
  });
});

describe('explainAccess', () => {
  const facts = (e: { facts: { name: string; holds: boolean }[] }) => Object.fromEntries(e.facts.map((f) => [f.name, f.holds]));

  it('says which fact decides: no grant, a grant not started, an active one, an expired one (with when), and changes nothing', async () => {
    const { deps, clock, events } = await setup();
    const before = events.events.length;
    const none = await explainAccess(deps, user('alice'), req);
    expect(none).toMatchObject({ decision: 'NEEDS_APPROVAL', policy });
    expect(none.reason).toMatch(/^no grant for alice on acct\/1/);
    expect(facts(none)).toEqual({ tenant_member: true, protected_action: true, grant: false });
    const start = new Date(clock.t.getTime() + 60_000);
    await deps.relations.writeGrant({ tenant: 'acme', principal: 'alice', action: req.action, resource: req.resource, requestId: 'r1', condition: '', grantedAt: start, expiresAt: new Date(start.getTime() + 3_600_000) });
    expect((await explainAccess(deps, user('alice'), req)).reason).toMatch(/not started yet/);
    clock.t = new Date(start.getTime() + 1_000);
    expect(await explainAccess(deps, user('alice'), req)).toMatchObject({ decision: 'ALLOW', grantWindow: { start, end: new Date(start.getTime() + 3_600_000) } });
    clock.t = new Date(start.getTime() + 3_600_000);
    const expired = await explainAccess(deps, user('alice'), req);
    expect(expired.decision).toBe('NEEDS_APPROVAL');
    expect(expired.reason).toBe(`grant expired at ${new Date(start.getTime() + 3_600_000).toISOString()} (it ran from ${start.toISOString()} until ${new Date(start.getTime() + 3_600_000).toISOString()}); OpenFGA stops counting it then`);
    // The same answer Check gives, and nothing published.
    expect((await checkAccess(deps, user('alice'), req)).decision).toBe(expired.decision);
    expect(events.events.length).toBe(before + 1);
  });

  it('names the missing membership for a non-member, and the missing step-up session where one is needed', async () => {
    const { deps, clock } = await setup();
    const outsider = await explainAccess(deps, approvalsSvc, { ...req, principal: 'mallory' });
    expect(outsider).toMatchObject({ decision: 'DENY', reason: 'missing relation: user:mallory is not a member of tenant:acme, directly or through a group' });
    await registerProtectedAction(deps, approvalsSvc, { tenant: 'acme', action: req.action, policy, approvers: ['user:bob'], stepUpToAct: true });
    await deps.relations.writeGrant({ tenant: 'acme', principal: 'alice', action: req.action, resource: req.resource, requestId: 'r1', condition: '', grantedAt: clock.now(), expiresAt: new Date(clock.t.getTime() + 3_600_000) });
    const needs = await explainAccess(deps, user('alice'), req);
    expect(needs.decision).toBe('NEEDS_STEP_UP');
    expect(facts(needs)).toMatchObject({ grant: true, step_up: false });
    await expect(explainAccess(deps, user('alice'), { ...req, principal: 'bob' })).rejects.toThrow(/only explain its own/);
    await expect(explainAccess(deps, user('alice'), { ...req, action: 'keys.unknown' })).rejects.toThrow(/action: "keys.unknown" is not a registered action/);
  });
});

describe('batchCheck', () => {
  it('decides each item as Check would, in order, with a refusal per item and a malformed item failing the call', async () => {
    const { deps, clock } = await setup();
    await deps.relations.writeGrant({ tenant: 'acme', principal: 'alice', action: req.action, resource: 'acct/2', requestId: 'r2', condition: '', grantedAt: clock.now(), expiresAt: new Date(clock.t.getTime() + 3_600_000) });
    const items = [
      { principal: '', action: req.action, resource: 'acct/1', correlationId: 'a' },
      { principal: '', action: req.action, resource: 'acct/2', correlationId: 'b' },
      { principal: '', action: 'keys.unknown', resource: 'acct/2', correlationId: 'c' },
      { principal: 'bob', action: req.action, resource: 'acct/2', correlationId: 'd' },
    ];
    const results = await batchCheck(deps, user('alice'), { tenant: 'acme', items });
    expect(results.map((r) => [r.correlationId, r.result?.decision ?? r.error?.kind])).toEqual([
      ['a', 'NEEDS_APPROVAL'],
      ['b', 'ALLOW'],
      ['c', 'invalid_argument'],
      ['d', 'permission_denied'],
    ]);
    expect(results[2]?.error?.message).toBe('items[2].action: "keys.unknown" is not a registered action in tenant "acme" (see ListProtectedActions)');
    const bad = await batchCheck(deps, user('alice'), { tenant: 'acme', items: [...items, { principal: '', action: 'BAD', resource: '', correlationId: 'e' }] }).catch((e: unknown) => e);
    expect((bad as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['items[4].action', 'items[4].resource']);
    const many = Array.from({ length: 101 }, (_, i) => ({ ...items[0]!, correlationId: String(i) }));
    await expect(batchCheck(deps, user('alice'), { tenant: 'acme', items: many })).rejects.toThrow(/at most 100/);
  });
});

describe('batchCheck membership', () => {
  it('asks membership once per principal for a whole batch, and still denies a non-member in it', async () => {
    const { deps } = await setup();
    const spy = vi.spyOn(deps.freshRelations, 'isMember');
    const items = [
      ...Array.from({ length: 5 }, (_, i) => ({ principal: 'alice', action: req.action, resource: `acct/${i}`, correlationId: String(i) })),
      { principal: 'mallory', action: req.action, resource: 'acct/1', correlationId: 'm' },
    ];
    const results = await batchCheck(deps, approvalsSvc, { tenant: 'acme', items, consistency: 'FULL' });
    expect(results.map((r) => r.result?.decision)).toEqual([...Array(5).fill('NEEDS_APPROVAL'), 'DENY']);
    expect(spy.mock.calls.map((c) => c[1]).sort()).toEqual(['alice', 'mallory']);
    spy.mockRestore();
  });
});

describe('conditional protection', () => {
  const at = (amount: unknown) => ({ ...req, context: { amount } });

  it('answers ALLOW below every threshold and NEEDS_APPROVAL above, naming the condition that matched', async () => {
    const { deps, events } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    const below = await checkAccess(deps, user('alice'), at(1000));
    expect(below).toMatchObject({ decision: 'ALLOW', matchedCondition: undefined, grantExpiresAt: undefined });
    expect(below.reason).toBe('no protection condition of payouts.change_details holds for this context (large, medium): allowed without approval');
    const medium = await checkAccess(deps, user('alice'), at(1000.01));
    expect(medium).toMatchObject({ decision: 'NEEDS_APPROVAL', policy, matchedCondition: tiered.conditions[1] });
    expect(medium.reason).toContain('(condition "medium": context.amount > 1000)');
    expect((await checkAccess(deps, user('alice'), at(50_000))).matchedCondition).toEqual(tiered.conditions[0]);
    // A non-member is denied below the threshold too.
    expect((await checkAccess(deps, user('mallory'), at(5))).decision).toBe('DENY');
    // The audit record says which condition matched.
    const recorded = eventsv1.AuthzChecked.fromJSON(events.events.at(-2)?.data);
    expect(recorded.matchedCondition).toEqual(tiered.conditions[0]);
  });

  it('refuses a context a condition cannot decide, or an oversize one, naming the field, and records nothing', async () => {
    const { deps, events } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    const before = events.events.length;
    const missing = await checkAccess(deps, user('alice'), { ...req, context: {} }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidArgumentError);
    expect((missing as InvalidArgumentError).violations).toEqual([
      { field: 'context', description: 'condition "large" (context.amount > 10000) cannot be decided: No such key: amount' },
    ]);
    await expect(checkAccess(deps, user('alice'), at('lots'))).rejects.toThrow(/context: condition "large" .*no such overload/);
    await expect(checkAccess(deps, user('alice'), { ...req, context: { blob: 'x'.repeat(9_000) } })).rejects.toThrow(/context: is \d+ bytes as JSON; at most 8192/);
    expect(events.events.length).toBe(before);
  });

  it('lets a grant cover the condition it was approved under and the ones after it, never a stricter one', async () => {
    const { deps, clock } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    await writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: 'medium' });
    const allowed = await checkAccess(deps, user('alice'), at(5_000));
    expect(allowed).toMatchObject({ decision: 'ALLOW', matchedCondition: tiered.conditions[1] });
    expect(allowed.grantExpiresAt?.getTime()).toBe(clock.t.getTime() + 600_000);
    expect((await checkAccess(deps, user('alice'), at(50_000))).decision).toBe('NEEDS_APPROVAL');
    await writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 60, requestId: '01JBBBBBBBBBBBBBBBBBBBBBBB', condition: 'large' });
    expect((await checkAccess(deps, user('alice'), at(50_000))).decision).toBe('ALLOW');
    // The longer of the two grants that cover "medium" answers.
    expect((await checkAccess(deps, user('alice'), at(5_000))).grantExpiresAt?.getTime()).toBe(clock.t.getTime() + 600_000);
    await expect(
      writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 60, requestId: '01JCCCCCCCCCCCCCCCCCCCCCCC', condition: 'huge' }),
    ).rejects.toThrow(/condition: "huge" is not a protection condition of payouts.change_details \(large, medium\)/);
  });

  it('versions and audits the registry: a change bumps the version and is published, a repeat changes nothing, a bad condition is refused', async () => {
    const { deps, events } = await setup();
    const registered = () => events.events.filter((e) => e.type === 'assent.authz.action_registered.v1');
    expect((await deps.actions.get('acme', req.action))?.version).toBe(1);
    const v2 = await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    expect(v2.version).toBe(2);
    const again = await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    expect(again.version).toBe(2);
    expect(registered()).toHaveLength(1);
    expect(eventsv1.ProtectedActionRegistered.fromJSON(registered()[0]?.data)).toMatchObject({
      actor: 'service:approvals',
      protectedAction: { action: req.action, version: 2, conditions: tiered.conditions },
    });
    const bad = await registerProtectedAction(deps, approvalsSvc, {
      tenant: 'acme',
      action: req.action,
      policy,
      approvers: ['user:bob'],
      conditions: [
        { name: 'ok', when: 'context.amount > 1' },
        { name: 'loop', when: 'context.items.all(i, context.items.all(j, i < j))' },
        { name: 'broken', when: 'context.amount >' },
      ],
    }).catch((e: unknown) => e);
    expect((bad as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['conditions[1].when', 'conditions[2].when']);
    expect((bad as InvalidArgumentError).violations[0]?.description).toMatch(/^exceeds the cost limit/);
    expect((await deps.actions.get('acme', req.action))?.version).toBe(2);
    expect(registered()).toHaveLength(1);
  });

  it('explains each condition evaluated, in order, and the one that decides', async () => {
    const { deps } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    const medium = await explainAccess(deps, user('alice'), at(5_000));
    expect(medium).toMatchObject({ decision: 'NEEDS_APPROVAL', matchedCondition: tiered.conditions[1] });
    expect(medium.facts.filter((f) => f.name.startsWith('condition:'))).toEqual([
      { name: 'condition:large', holds: false, detail: 'context.amount > 10000 does not hold for this context' },
      { name: 'condition:medium', holds: true, detail: 'context.amount > 1000 holds for this context' },
    ]);
    expect(medium.reason).toMatch(/^condition "medium" \(context.amount > 1000\) holds; no grant for alice/);
    await writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: 'medium' });
    expect((await explainAccess(deps, user('alice'), at(50_000))).reason).toBe(
      'condition "large" (context.amount > 10000) holds; no grant for alice on acct/1 that covers condition "large": the active grant under "medium" covers only that condition and the laxer ones',
    );
    const below = await explainAccess(deps, user('alice'), at(3));
    expect(below).toMatchObject({ decision: 'ALLOW', reason: 'no protection condition of payouts.change_details holds for this context: allowed without approval' });
  });

  it('names the item whose context a condition cannot decide in a batch', async () => {
    const { deps } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: req.action, policy, approvers: ['user:bob'] });
    const items = [
      { principal: '', action: req.action, resource: 'acct/1', correlationId: 'a', context: { amount: 1 } },
      { principal: '', action: req.action, resource: 'acct/1', correlationId: 'b', context: {} },
    ];
    await expect(batchCheck(deps, user('alice'), { tenant: 'acme', items })).rejects.toThrow(/items\[1\]\.context: condition "large"/);
    const ok = await batchCheck(deps, user('alice'), { tenant: 'acme', items: [items[0]!, { ...items[0]!, correlationId: 'c', context: { amount: 2_000 } }] });
    expect(ok.map((r) => r.result?.decision)).toEqual(['ALLOW', 'NEEDS_APPROVAL']);
  });
});

describe('listAccess', () => {
  it('lists the active grants a member holds by what they are about, what it may request and approve; nothing for a non-member', async () => {
    const { deps, clock } = await setup();
    await registerProtectedAction(deps, approvalsSvc, { ...tiered, tenant: 'acme', action: 'refunds.issue', policy, approvers: ['user:alice'] });
    await writeGrant(deps, approvalsSvc, { ...req, principal: 'alice', durationSeconds: 600, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' });
    await writeGrant(deps, approvalsSvc, { ...req, action: 'refunds.issue', resource: 'refund/9', principal: 'alice', durationSeconds: 60, requestId: '01JBBBBBBBBBBBBBBBBBBBBBBB', condition: 'large' });
    // Ended already: not listed.
    await writeGrant(deps, approvalsSvc, { ...req, resource: 'acct/old', principal: 'alice', durationSeconds: 60, requestId: '01JCCCCCCCCCCCCCCCCCCCCCCC', grantedAt: new Date(clock.t.getTime() - 120_000) });
    const access = await listAccess(deps, user('alice'), { tenant: 'acme', principal: '' });
    expect(access).toEqual({
      member: true,
      grants: [
        { action: 'refunds.issue', resource: 'refund/9', condition: 'large', startsAt: clock.now(), expiresAt: new Date(clock.t.getTime() + 60_000) },
        { action: req.action, resource: 'acct/1', condition: '', startsAt: clock.now(), expiresAt: new Date(clock.t.getTime() + 600_000) },
      ],
      requestableActions: [req.action, 'refunds.issue'],
      approvableActions: ['refunds.issue'],
    });
    expect(await listAccess(deps, approvalsSvc, { tenant: 'acme', principal: 'mallory' })).toEqual({ member: false, grants: [], requestableActions: [], approvableActions: [] });
    await expect(listAccess(deps, user('alice'), { tenant: 'acme', principal: 'bob' })).rejects.toThrow(/only list its own access/);
  });
});

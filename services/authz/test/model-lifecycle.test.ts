import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PermissionDeniedError, UnavailableError, newEvent, type AssentEvent, type Principal } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { MemoryModelStore } from '../src/adapters/memory/model-store.js';
import { MemoryRecordedDecisions } from '../src/adapters/memory/recorded-decisions.js';
import { MemoryEventSink, MemoryProtectedActionRepository, MemoryTenantRepository } from '../src/adapters/memory/repositories.js';
import { assentModelDsl } from '../src/adapters/openfga/model.js';
import { applyModel } from '../src/domain/commands/apply-model.js';
import { createTenant } from '../src/domain/commands/create-tenant.js';
import { getModel } from '../src/domain/commands/get-model.js';
import { simulateModel } from '../src/domain/commands/simulate-model.js';
import { decide, modelAnswer, replayQuestion, type RecordedDecision } from '../src/domain/decision-replay.js';
import { parseAuthzModel, parseModel, type ModelDefinition } from '../src/domain/model-definition.js';
import type { AuthzDeps, ModelLifecycleDeps } from '../src/domain/ports.js';
import type { ProtectedAction } from '../src/domain/types.js';

const root: Principal = { subject: 'root', kind: 'user', tenant: undefined, roles: ['platform-admin'] };
const tenantAdmin: Principal = { subject: 'ann', kind: 'user', tenant: 'acme', roles: ['admin'] };
const alice: Principal = { subject: 'alice', kind: 'user', tenant: 'acme', roles: [] };
const approvals: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };

/** The built-in model with tenant admins no longer members by that alone. */
const noAdminMembers = assentModelDsl.replace('define member: [user, group#member] or admin', 'define member: [user, group#member]');

const violation = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidArgumentError);
  return (err as InvalidArgumentError).violations;
};

describe('parseAuthzModel', () => {
  it('accepts the built-in model and one without "or admin" (a model may change how a relation is computed)', () => {
    expect(parseAuthzModel(assentModelDsl).sha).toMatch(/^[0-9a-f]{64}$/);
    const draft = parseAuthzModel(noAdminMembers);
    expect(draft.sha).not.toBe(parseAuthzModel(assentModelDsl).sha);
    // Layout and comments are not the model: the same digest.
    expect(parseAuthzModel(`# a comment\n${assentModelDsl.replace('type user\n', 'type user\n\n')}`).sha).toBe(parseAuthzModel(assentModelDsl).sha);
  });

  it('names every type, relation, subject and condition parameter authz relies on that the model lacks', async () => {
    const dsl = assentModelDsl
      .replace('    define admin: [user]\n', '')
      .replace(' or admin', '')
      .replace('type grant_window\n\n', '')
      .replace('    define stamp: [grant_window]\n', '')
      .replace('define approver: [user, group#member]', 'define approver: [user]')
      .replace('grant_duration: duration', 'grant_length: duration')
      .replace('grant_start + grant_duration', 'grant_start + grant_length');
    expect(await violation(Promise.resolve().then(() => parseAuthzModel(dsl)))).toEqual([
      {
        field: 'dsl',
        description:
          'the model lacks what authz relies on: tenant#admin, action#approver accepting group#member, type grant_window, grant#stamp, condition active_grant parameter grant_duration',
      },
    ]);
  });

  it('reports a syntax error with its line and column, counted from 1', async () => {
    const dsl = 'model\n  schema 1.1\n\ntype user\n  relations\n    define friend: [user\n';
    expect(await violation(Promise.resolve().then(() => parseModel(dsl)))).toEqual([
      { field: 'dsl', description: "syntax error at line 7, column 1: mismatched input '<EOF>' expecting {',', WHITESPACE, ']'}" },
    ]);
  });

  it('reports a relation that does not exist with its line, as OpenFGA would refuse it', async () => {
    const dsl = assentModelDsl.replace('or admin', 'or owner');
    const [v] = await violation(Promise.resolve().then(() => parseAuthzModel(dsl)));
    expect(v).toEqual({ field: 'dsl', description: 'invalid model at line 13, column 44: the relation `owner` does not exist.' });
    expect(dsl.split('\n')[12]).toContain('or owner');
  });

  it('refuses an empty model and schema 1.0', async () => {
    expect(await violation(Promise.resolve().then(() => parseAuthzModel('  ')))).toEqual([{ field: 'dsl', description: 'is required' }]);
    expect((await violation(Promise.resolve().then(() => parseAuthzModel('model\n  schema 1.0\ntype user\n'))))[0]?.field).toBe('dsl');
  });
});

const at = new Date('2030-01-01T12:00:00Z');
const action = (conditions: { name: string; when: string }[] = [], name = 'payouts.change_details'): ProtectedAction => ({
  tenant: 'acme',
  action: name,
  policy: { id: 'p', hash: 'a'.repeat(64) },
  approvers: ['user:bob'],
  updatedAt: at,
  stepUpToAct: false,
  stepUpToApprove: false,
  conditions,
  version: 1,
});
const recorded = (over: Partial<RecordedDecision>): RecordedDecision => ({
  id: `01J${Math.random().toString(36).slice(2, 12).toUpperCase().padEnd(23, 'A')}`,
  tenant: 'acme',
  principal: 'alice',
  action: 'payouts.change_details',
  resource: 'acct/1',
  decidedAt: at,
  decision: 'NEEDS_APPROVAL',
  matchedCondition: undefined,
  ...over,
});

describe('the decision rules a replay applies', () => {
  const tiered = action([
    { name: 'large', when: 'context.amount > 10000' },
    { name: 'medium', when: 'context.amount > 1000' },
  ]);

  it('asks what Check asked: the matched condition and the stricter ones, membership alone for a routine decision', () => {
    expect(replayQuestion(recorded({ matchedCondition: 'medium' }), tiered)).toEqual({ kind: 'protected', covering: ['large', 'medium'] });
    expect(replayQuestion(recorded({}), action())).toEqual({ kind: 'protected', covering: [''] });
    expect(replayQuestion(recorded({ decision: 'ALLOW' }), tiered)).toEqual({ kind: 'routine' });
    expect(replayQuestion(recorded({ decision: 'DENY' }), tiered)).toEqual({ kind: 'routine' });
  });

  it('skips what it cannot ask again, saying why', () => {
    expect(replayQuestion(recorded({}), undefined)).toEqual({ kind: 'skip', reason: 'the action is no longer registered' });
    expect(replayQuestion(recorded({ matchedCondition: 'huge' }), tiered)).toEqual({ kind: 'skip', reason: "its protection condition is no longer one of the action's" });
    expect(replayQuestion(recorded({ decision: 'NEEDS_APPROVAL' }), tiered).kind).toBe('skip');
  });

  it('decides as Check does: DENY a non-member, ALLOW routine or granted, NEEDS_APPROVAL otherwise; step-up compares as ALLOW', () => {
    const protectedQ = { kind: 'protected' as const, covering: [''] };
    expect(decide(protectedQ, { member: false, granted: true })).toBe('DENY');
    expect(decide({ kind: 'routine' }, { member: false, granted: false })).toBe('DENY');
    expect(decide({ kind: 'routine' }, { member: true, granted: false })).toBe('ALLOW');
    expect(decide(protectedQ, { member: true, granted: true })).toBe('ALLOW');
    expect(decide(protectedQ, { member: true, granted: false })).toBe('NEEDS_APPROVAL');
    expect(modelAnswer('NEEDS_STEP_UP')).toBe('ALLOW');
    expect(modelAnswer('DENY')).toBe('DENY');
  });
});

/**
 * The lifecycle against the twins. Facts per model: tenant members and admins,
 * admins counting as members only where the model says `or admin`; grants by
 * (user, action, resource, condition) with a window.
 */
function setup() {
  const members = new Set(['acme|alice', 'acme|bob']);
  const admins = new Set(['acme|carol']);
  const grants = new Map<string, { start: Date; end: Date }>([['carol|payouts.change_details|acct/9|', { start: new Date(at.getTime() - 60_000), end: new Date(at.getTime() + 60_000) }]]);
  const factsUnder = (model: ModelDefinition) => {
    const adminsAreMembers = JSON.stringify(model.json.type_definitions.find((t) => t.type === 'tenant')?.relations?.['member']).includes('"admin"');
    const isMember = async (t: string, u: string) => members.has(`${t}|${u}`) || (adminsAreMembers && admins.has(`${t}|${u}`));
    return {
      isMember,
      activeGrant: async (t: string, u: string, a: string, r: string, now: Date, c: string) => {
        const w = grants.get(`${u}|${a}|${r}|${c}`);
        return (await isMember(t, u)) && w && w.start <= now && now < w.end ? w.end : undefined;
      },
    };
  };
  const clock = { now: () => at };
  const events = new MemoryEventSink();
  const logged: { fields: object; msg: string }[] = [];
  const deps: ModelLifecycleDeps = {
    models: new MemoryModelStore(parseAuthzModel(assentModelDsl), factsUnder),
    recorded: new MemoryRecordedDecisions(),
    actions: new MemoryProtectedActionRepository(),
    events,
    eventFactory: { create: (e) => newEvent({ ...e, service: 'authz' }) },
    clock,
    log: { info: (fields, msg) => logged.push({ fields, msg }), warn: (fields, msg) => logged.push({ fields, msg }) },
  };
  return { deps, events, logged, recorded: deps.recorded as MemoryRecordedDecisions };
}

describe('simulateModel', () => {
  it('lists exactly the decisions the draft changes, leaves the current model, and counts what it skipped', async () => {
    const { deps, recorded: log, logged } = setup();
    await deps.actions.put(action());
    await deps.actions.put(action([{ name: 'large', when: 'context.amount > 10000' }], 'refunds.issue'));
    const before = await deps.models.current();
    const carolRoutine = recorded({ action: 'refunds.issue', principal: 'carol', decision: 'ALLOW' });
    const carolGranted = recorded({ principal: 'carol', resource: 'acct/9', decision: 'NEEDS_STEP_UP' });
    const carolProtected = recorded({ principal: 'carol', resource: 'acct/2' });
    log.recorded.push(
      carolRoutine,
      recorded({ principal: 'alice' }),
      recorded({ principal: 'mallory', decision: 'DENY' }),
      carolGranted,
      recorded({ action: 'gone.action' }),
      undefined,
      carolProtected,
      recorded({ action: 'refunds.issue', principal: 'bob', decision: 'ALLOW' }),
    );

    const r = await simulateModel(deps, root, { dsl: noAdminMembers, limit: 0 });
    expect(r.replayed).toBe(6);
    expect(r.skipped).toBe(2);
    expect(r.skippedBecause).toEqual({ 'the action is no longer registered': 1, 'not a decision record authz can read': 1 });
    expect(r.changes.map((c) => [c.recorded.id, c.recorded.decision, c.current, c.draft])).toEqual(
      expect.arrayContaining([
        [carolRoutine.id, 'ALLOW', 'ALLOW', 'DENY'],
        [carolGranted.id, 'NEEDS_STEP_UP', 'ALLOW', 'DENY'],
        [carolProtected.id, 'NEEDS_APPROVAL', 'NEEDS_APPROVAL', 'DENY'],
      ]),
    );
    expect(r.changes).toHaveLength(3);
    expect(r.draftModelId).not.toBe(before.model.modelId);
    expect(await deps.models.current()).toEqual(before);
    expect(logged.find((l) => l.msg === 'model simulation skipped recorded decisions')?.fields).toMatchObject({ skipped: 2 });

    // The current model as the draft: one model id, nothing changes; --limit takes the newest.
    const same = await simulateModel(deps, root, { dsl: assentModelDsl, limit: 3 });
    expect(same).toMatchObject({ draftModelId: before.model.modelId, replayed: 2, skipped: 1, changes: [] });
  });

  it('is for platform admins, with a limit of at most 10,000', async () => {
    const { deps } = setup();
    await expect(simulateModel(deps, tenantAdmin, { dsl: noAdminMembers, limit: 0 })).rejects.toThrow(PermissionDeniedError);
    await expect(simulateModel(deps, approvals, { dsl: noAdminMembers, limit: 0 })).rejects.toThrow('simulating an authorization model needs the platform-admin role; service:approvals does not have it');
    expect(await violation(simulateModel(deps, root, { dsl: noAdminMembers, limit: 10_001 }))).toEqual([{ field: 'limit', description: 'must be at most 10000' }]);
  });
});

describe('applyModel and getModel', () => {
  it('makes the model current, publishes model_applied once, and answers unchanged for the same model', async () => {
    const { deps, events } = setup();
    const builtin = await getModel(deps, tenantAdmin);
    expect(builtin).toMatchObject({ source: 'builtin', dsl: assentModelDsl });

    const applied = await applyModel(deps, root, { dsl: noAdminMembers });
    expect(applied).toEqual({ modelId: expect.any(String), previousModelId: builtin.modelId, changed: true });
    expect(await getModel(deps, root)).toMatchObject({ modelId: applied.modelId, dsl: noAdminMembers, source: 'applied', appliedAt: at, appliedBy: 'root', announced: true });
    expect(events.events).toHaveLength(1);
    const e = events.events[0] as AssentEvent;
    expect(e).toMatchObject({ type: 'assent.authz.model_applied.v1', tenantid: 'platform', subject: `model/${applied.modelId}` });
    expect(eventsv1.AuthzModelApplied.fromJSON(e.data)).toEqual({ modelId: applied.modelId, previousModelId: builtin.modelId, actor: 'root' });

    expect(await applyModel(deps, root, { dsl: `# the same model\n${noAdminMembers}` })).toEqual({ modelId: applied.modelId, previousModelId: applied.modelId, changed: false });
    expect(events.events).toHaveLength(1);
    // Back to the built-in model: the same model id as before.
    expect(await applyModel(deps, root, { dsl: assentModelDsl })).toMatchObject({ modelId: builtin.modelId, previousModelId: applied.modelId, changed: true });
  });

  it('publishes under the tenant id "platform", which no tenant may take', async () => {
    const tenants = new MemoryTenantRepository();
    const deps = { tenants, clock: { now: () => at } } as unknown as AuthzDeps;
    expect(await violation(createTenant(deps, root, { id: 'platform', displayName: '' }))).toEqual([{ field: 'id', description: '"platform" is reserved for platform-wide events' }]);
    expect(await tenants.get('platform')).toBeUndefined();
  });

  it('changes nothing for a model missing what authz relies on, or for anyone but a platform admin', async () => {
    const { deps, events } = setup();
    const before = await deps.models.current();
    const [v] = await violation(applyModel(deps, root, { dsl: assentModelDsl.replace('    define admin: [user]\n', '').replace(' or admin', '') }));
    expect(v).toEqual({ field: 'dsl', description: 'the model lacks what authz relies on: tenant#admin' });
    await expect(applyModel(deps, tenantAdmin, { dsl: noAdminMembers })).rejects.toThrow('applying an authorization model needs the platform-admin role; ann does not have it');
    await expect(getModel(deps, alice)).rejects.toThrow('reading the authorization model needs the admin or platform-admin role; alice has neither');
    await expect(getModel(deps, approvals)).rejects.toThrow(PermissionDeniedError);
    expect(await deps.models.current()).toEqual(before);
    expect(events.events).toHaveLength(0);
  });

  it('publishes the event of an apply whose publish failed when the same model is applied again, with the same id', async () => {
    const { deps, events } = setup();
    const emit = events.emit.bind(events);
    events.emit = async () => {
      throw new UnavailableError('NATS down');
    };
    await expect(applyModel(deps, root, { dsl: noAdminMembers })).rejects.toThrow(UnavailableError);
    const { model } = await deps.models.current();
    expect(model).toMatchObject({ source: 'applied', announced: false });
    events.emit = emit;
    expect(await applyModel(deps, root, { dsl: noAdminMembers })).toMatchObject({ changed: false });
    expect(events.events.map((e) => e.id)).toEqual([model.eventId]);
    expect((await deps.models.current()).model.announced).toBe(true);
  });
});

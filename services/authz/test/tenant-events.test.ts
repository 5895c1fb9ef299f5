import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, newEvent, type Principal } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { MemoryRelationStore } from '../src/adapters/memory/relation-store.js';
import { MemoryEventSink, MemoryGrantCatalog, MemoryProtectedActionRepository, MemoryTenantRepository } from '../src/adapters/memory/repositories.js';
import { MemoryStepUpStore } from '../src/adapters/memory/step-up-store.js';
import { addTenantMember } from '../src/domain/commands/add-tenant-member.js';
import { createTenant } from '../src/domain/commands/create-tenant.js';
import { DecisionRecorder } from '../src/domain/decision-recorder.js';
import type { AuthzDeps } from '../src/domain/ports.js';

const root: Principal = { subject: 'root', kind: 'user', tenant: undefined, roles: ['platform-admin'] };
const admin: Principal = { subject: 'ann', kind: 'user', tenant: 'acme', roles: ['admin'] };

function setup() {
  const clock = { now: () => new Date('2030-01-01T00:00:00Z') };
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
  return { deps, events };
}

describe('tenant and membership changes are on record with their actor', () => {
  it('publishes every CreateTenant call, saying whether it created the tenant', async () => {
    const { deps, events } = setup();
    await createTenant(deps, root, { id: 'acme', displayName: 'Acme' });
    await createTenant(deps, root, { id: 'acme', displayName: 'Acme again' });
    expect(events.events.map((e) => [e.type, e.tenantid, e.subject])).toEqual([
      ['assent.authz.tenant_created.v1', 'acme', 'tenant/acme'],
      ['assent.authz.tenant_created.v1', 'acme', 'tenant/acme'],
    ]);
    expect(events.events.map((e) => eventsv1.TenantCreated.fromJSON(e.data))).toEqual([
      { tenant: 'acme', displayName: 'Acme', created: true, actor: 'root' },
      { tenant: 'acme', displayName: 'Acme', created: false, actor: 'root' },
    ]);
  });

  it('publishes every AddTenantMember call with who added whom, and nothing for a refused one', async () => {
    const { deps, events } = setup();
    await createTenant(deps, root, { id: 'acme', displayName: 'Acme' });
    events.events.length = 0;
    await addTenantMember(deps, admin, { tenant: 'acme', user: 'dave' });
    await expect(addTenantMember(deps, { ...admin, roles: [] }, { tenant: 'acme', user: 'eve' })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(events.events.map((e) => [e.type, e.tenantid, e.subject, eventsv1.TenantMemberAdded.fromJSON(e.data)])).toEqual([
      ['assent.authz.tenant_member_added.v1', 'acme', 'principal/dave', { tenant: 'acme', user: 'dave', actor: 'ann' }],
    ]);
  });
});

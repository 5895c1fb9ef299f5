import { newEvent, type Principal } from '@assent/platform';
import { monotonicFactory } from 'ulid';
import { MemoryAuthzGateway, MemoryEventSink, MemoryIdempotencyStore } from '../src/adapters/memory/others.js';
import { MemoryPolicyRepository } from '../src/adapters/memory/policy-repository.js';
import { MemoryDelegationRepository } from '../src/adapters/memory/delegation-repository.js';
import { MemoryLineageIndex } from '../src/adapters/memory/lineage-index.js';
import { MemoryInboxIndex } from '../src/adapters/memory/inbox-index.js';
import { activatePolicy } from '../src/domain/commands/put-policy.js';
import { MemoryRequestRepository } from '../src/adapters/memory/request-repository.js';
import { MemoryRequestWatcher } from '../src/adapters/memory/request-watcher.js';
import type { ApprovalsDeps } from '../src/domain/ports.js';
import { emptySchedule, type PolicyInput } from '../src/domain/policy-rules.js';

export const user = (subject: string, tenant = 'acme', roles: string[] = []): Principal => ({ subject, kind: 'user', tenant, roles });
export const service = (subject = 'service:approvals'): Principal => ({ subject, kind: 'service', tenant: undefined, roles: [] });

export const payoutsPolicy: PolicyInput = {
  id: 'payout-details-change',
  action: 'payouts.change_details',
  requirements: [{ name: 'approvers', approvers: ['user:bob', 'user:carol', 'user:dave'], quorum: 1 }],
  allowSelfApproval: false,
  requireJustification: true,
  grantDurationSeconds: 3600,
  slackChannel: 'C0PAYOUTS',
  schedule: emptySchedule(),
  allowBreakGlass: false,
  acknowledgements: [],
  maxGrantDurationSeconds: 0,
  approverEditable: [],
  parametersSchema: undefined,
  rerequestCooldownSeconds: 0,
  maxRequestsPerDay: 0,
  extensionRequiresApproval: false,
  requireStepUpToAct: false,
  requireStepUpToApprove: false,
  tiers: [],
};

export const financeAndRisk = [
  { name: 'finance', approvers: ['group:finance#member'], quorum: 1 },
  { name: 'risk', approvers: ['group:risk#member'], quorum: 1 },
];

/** The payouts policy with protection tiers by amount: large needs finance AND risk, medium the policy's approvers. */
export const tieredPolicy: PolicyInput = {
  ...payoutsPolicy,
  parametersSchema: { type: 'object', properties: { amount: { type: 'number' } } },
  approverEditable: ['parameters.amount'],
  tiers: [
    { name: 'large', when: 'context.amount > 10000', requirements: financeAndRisk },
    { name: 'medium', when: 'context.amount > 1000', requirements: [] },
  ],
};

/** The payouts policy with one approver set of `quorum` (the `approvers` shorthand). */
export const withQuorum = (quorum: number, approvers = ['user:bob', 'user:carol', 'user:dave']): PolicyInput => ({
  ...payoutsPolicy,
  requirements: [{ name: 'approvers', approvers, quorum }],
});

/** Domain wired to in-memory twins, with a controllable clock. */
export function memoryDeps() {
  const clock = { t: new Date('2026-01-01T00:00:00Z'), now() { return new Date(this.t); } };
  const authz = new MemoryAuthzGateway();
  authz.now = () => clock.now();
  authz.tenants.add('acme');
  authz.tenants.add('globex');
  for (const u of ['alice', 'bob', 'carol', 'dave']) authz.members.add(`acme|${u}`);
  const requests = new MemoryRequestRepository();
  // The inbox follows every stored revision, as the relay keeps it in step.
  const inbox = new MemoryInboxIndex();
  requests.onWrite((row) => void inbox.project(row.request));
  const events = new MemoryEventSink();
  const policies = new MemoryPolicyRepository();
  const delegations = new MemoryDelegationRepository();
  const deps: ApprovalsDeps = {
    policies,
    delegations,
    lineage: new MemoryLineageIndex(),
    requests,
    watcher: new MemoryRequestWatcher(requests),
    authz,
    idempotency: new MemoryIdempotencyStore(),
    inbox,
    events,
    newEvent: (e) => newEvent({ ...e, service: 'approvals' }),
    newId: monotonicFactory(),
    clock,
    // The same tenants the authz twin knows.
    tenants: { exists: (tenant) => Promise.resolve(authz.tenants.has(tenant)) },
  };
  // The relay's reaction, run at once.
  policies.onSaved = (tenant, record) => activatePolicy(deps, tenant, record);
  return { deps, authz, requests, events, policies, delegations, clock };
}

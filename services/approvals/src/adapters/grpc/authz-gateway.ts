import { fromClientError } from '@assent/platform';
import { authzv1 } from '@assent/proto';
import type { Client } from 'nice-grpc';
import type { AuthzGateway } from '../../domain/ports.js';
import type { CheckDecision, CheckOutcome } from '../../domain/types.js';

const decisions: Partial<Record<authzv1.Decision, CheckDecision>> = {
  [authzv1.Decision.DECISION_ALLOW]: 'ALLOW',
  [authzv1.Decision.DECISION_DENY]: 'DENY',
  [authzv1.Decision.DECISION_NEEDS_APPROVAL]: 'NEEDS_APPROVAL',
  [authzv1.Decision.DECISION_NEEDS_STEP_UP]: 'NEEDS_STEP_UP',
};

/** Calls the authz service with this service's identity; its errors come back as domain errors. */
export class GrpcAuthzGateway implements AuthzGateway {
  constructor(private readonly client: Client<typeof authzv1.AuthzServiceDefinition>) {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fromClientError(err, 'authz');
    }
  }

  async check(tenant: string, principal: string, action: string, resource: string, context?: Record<string, unknown>): Promise<CheckOutcome> {
    const res = await this.call(() => this.client.check({ tenant, principal, action, resource, context }, { signal: AbortSignal.timeout(5_000) }));
    const decision = decisions[res.decision];
    if (!decision) throw new Error(`authz returned an unknown decision ${res.decision}`);
    const matched = res.matchedCondition;
    return { decision, reason: res.reason, policy: res.policy, matchedCondition: matched && { name: matched.name, when: matched.when } };
  }

  async matchApprover(tenant: string, principal: string, action: string, subjects: string[]) {
    const res = await this.call(() => this.client.checkApprover({ tenant, principal, action, among: subjects }, { signal: AbortSignal.timeout(5_000) }));
    return res.matched;
  }

  async groupsOf(tenant: string, user: string) {
    return (await this.call(() => this.client.listUserGroups({ tenant, user }, { signal: AbortSignal.timeout(5_000) }))).groups;
  }

  async groupMembers(tenant: string, group: string, limit: number) {
    const res = await this.call(() => this.client.listGroupMembers({ tenant, group, pageSize: limit, pageToken: '' }, { signal: AbortSignal.timeout(5_000) }));
    return { users: res.users, truncated: res.nextPageToken !== '' };
  }

  async registerProtectedAction(
    tenant: string,
    action: string,
    policy: { id: string; hash: string },
    approvers: string[],
    stepUp: { toAct: boolean; toApprove: boolean },
    conditions: { name: string; when: string }[],
  ) {
    await this.call(() =>
      this.client.registerProtectedAction(
        { tenant, action, policy, approvers, stepUpToAct: stepUp.toAct, stepUpToApprove: stepUp.toApprove, conditions },
        { signal: AbortSignal.timeout(10_000) },
      ),
    );
  }

  async stepUpActive(tenant: string, principal: string) {
    const res = await this.call(() => this.client.checkStepUp({ tenant, principal }, { signal: AbortSignal.timeout(5_000) }));
    return { active: res.active, requirement: res.requirement };
  }

  async removeGrant(input: Parameters<AuthzGateway['removeGrant']>[0]) {
    await this.call(() => this.client.removeGrant(input, { signal: AbortSignal.timeout(10_000) }));
  }

  async writeGrant(input: Parameters<AuthzGateway['writeGrant']>[0]) {
    const res = await this.call(() =>
      this.client.writeGrant({ ...input, durationSeconds: String(input.durationSeconds) }, { signal: AbortSignal.timeout(10_000) }),
    );
    if (!res.grant?.expiresAt) throw new Error('authz returned a grant without expiry');
    return { expiresAt: res.grant.expiresAt };
  }
}

import { NotFoundError, type AssentEvent } from '@assent/platform/domain';
import type { AuthzGateway, EventSink, IdempotencyStore } from '../../domain/ports.js';
import type { CheckOutcome } from '../../domain/types.js';

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly keys = new Map<string, string>();
  async bind(tenant: string, key: string, id: string) {
    const k = `${tenant}|${key}`;
    const bound = this.keys.get(k) ?? id;
    this.keys.set(k, bound);
    return bound;
  }
}

export class MemoryEventSink implements EventSink {
  readonly events: AssentEvent[] = [];
  async emit(event: AssentEvent) {
    this.events.push(event);
  }
}

/** A small stand-in for the authz service's rules (members, protected actions, approvers, grants). */
export class MemoryAuthzGateway implements AuthzGateway {
  readonly tenants = new Set<string>();
  readonly members = new Set<string>();
  readonly actions = new Map<string, { policy: { id: string; hash: string }; approvers: string[] }>();
  /** Grant windows, as OpenFGA's condition reads them: active from start until end. */
  readonly grants = new Map<string, { start: Date; end: Date }>();
  /** The time grants are checked at (tests give it their clock). */
  now: () => Date = () => new Date();

  async check(tenant: string, principal: string, action: string, resource: string): Promise<CheckOutcome> {
    if (!this.tenants.has(tenant)) throw new NotFoundError('tenant', tenant);
    const pa = this.actions.get(`${tenant}|${action}`);
    if (!pa) throw new NotFoundError('action', action);
    if (!this.members.has(`${tenant}|${principal}`)) return { decision: 'DENY', reason: `${principal} is not a member of tenant ${tenant}`, policy: undefined };
    const grant = this.grants.get(`${tenant}|${principal}|${action}|${resource}`);
    const now = this.now();
    if (grant && grant.start <= now && now < grant.end) return { decision: 'ALLOW', reason: 'active grant', policy: pa.policy };
    return { decision: 'NEEDS_APPROVAL', reason: `${action} needs approval`, policy: pa.policy };
  }

  /** tenant → group → users */
  readonly groups = new Map<string, Map<string, Set<string>>>();

  addGroupMember(tenant: string, group: string, user: string): void {
    const groups = this.groups.get(tenant) ?? new Map<string, Set<string>>();
    groups.set(group, (groups.get(group) ?? new Set()).add(user));
    this.groups.set(tenant, groups);
  }

  async matchApprover(tenant: string, principal: string, action: string, subjects: string[]) {
    const includes = (s: string) => s === `user:${principal}` || Boolean(this.groups.get(tenant)?.get(/^group:(.+)#member$/.exec(s)?.[1] ?? '')?.has(principal));
    if (!this.actions.has(`${tenant}|${action}`)) throw new NotFoundError('action', action);
    return this.members.has(`${tenant}|${principal}`) ? subjects.filter(includes) : [];
  }

  async groupsOf(tenant: string, user: string) {
    return [...(this.groups.get(tenant) ?? [])].filter(([, users]) => users.has(user)).map(([g]) => g).sort();
  }

  async groupMembers(tenant: string, group: string, limit: number) {
    const all = [...(this.groups.get(tenant)?.get(group) ?? [])].sort();
    return { users: all.slice(0, limit), truncated: all.length > limit };
  }

  /** "tenant|user" of people holding a step-up session. */
  readonly steppedUp = new Set<string>();

  async stepUpActive(tenant: string, principal: string) {
    return { active: this.steppedUp.has(`${tenant}|${principal}`), requirement: 'a sign-in within the last 300 s with acr mfa' };
  }

  async registerProtectedAction(tenant: string, action: string, policy: { id: string; hash: string }, approvers: string[], _stepUp?: { toAct: boolean; toApprove: boolean }) {
    if (!this.tenants.has(tenant)) throw new NotFoundError('tenant', tenant);
    this.actions.set(`${tenant}|${action}`, { policy, approvers });
  }

  async removeGrant(input: { tenant: string; principal: string; action: string; resource: string }) {
    this.grants.delete(`${input.tenant}|${input.principal}|${input.action}|${input.resource}`);
  }

  async writeGrant(input: { tenant: string; principal: string; action: string; resource: string; durationSeconds: number; grantedAt: Date | undefined }) {
    const start = input.grantedAt ?? this.now();
    const expiresAt = new Date(start.getTime() + input.durationSeconds * 1000);
    this.grants.set(`${input.tenant}|${input.principal}|${input.action}|${input.resource}`, { start, end: expiresAt });
    return { expiresAt };
  }
}

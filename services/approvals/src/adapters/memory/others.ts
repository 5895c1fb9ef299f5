import { ConditionEvaluationError, InvalidArgumentError, NotFoundError, contextProblem, firstHolding, type AssentEvent, type NamedCondition } from '@assent/platform/domain';
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

/**
 * A small stand-in for the authz service's rules (members, protected actions with
 * their protection conditions, approvers, grants per condition).
 */
export class MemoryAuthzGateway implements AuthzGateway {
  readonly tenants = new Set<string>();
  readonly members = new Set<string>();
  readonly actions = new Map<string, { policy: { id: string; hash: string }; approvers: string[]; conditions: NamedCondition[] }>();
  /** Grant windows, as OpenFGA's condition reads them: active from start until end; keyed by grantKey. */
  readonly grants = new Map<string, { start: Date; end: Date }>();
  /** The time grants are checked at (tests give it their clock). */
  now: () => Date = () => new Date();

  /** "tenant|principal|action|resource", then "|condition" for a grant approved under a protection condition. */
  static grantKey(g: { tenant: string; principal: string; action: string; resource: string; condition?: string }): string {
    return [g.tenant, g.principal, g.action, g.resource, ...(g.condition ? [g.condition] : [])].join('|');
  }

  async check(tenant: string, principal: string, action: string, resource: string, context?: Record<string, unknown>): Promise<CheckOutcome> {
    if (!this.tenants.has(tenant)) throw new NotFoundError('tenant', tenant);
    const tooBig = context && contextProblem(context);
    if (tooBig) throw InvalidArgumentError.field('context', tooBig);
    const pa = this.actions.get(`${tenant}|${action}`);
    if (!pa) throw InvalidArgumentError.field('action', `"${action}" is not a registered action in tenant "${tenant}"`);
    // As authz: the first condition that holds protects the action; its grant and those of stricter (earlier) ones count.
    let hit: { condition: NamedCondition; index: number } | undefined;
    try {
      hit = pa.conditions.length ? firstHolding(pa.conditions, { context: context ?? {}, principal, action, resource }) : undefined;
    } catch (err) {
      if (err instanceof ConditionEvaluationError) throw InvalidArgumentError.field('context', err.message);
      throw err;
    }
    const member = this.members.has(`${tenant}|${principal}`);
    if (!member) return { decision: 'DENY', reason: `${principal} is not a member of tenant ${tenant}`, policy: undefined, matchedCondition: undefined };
    if (pa.conditions.length && !hit) return { decision: 'ALLOW', reason: `no protection condition of ${action} holds for this context`, policy: pa.policy, matchedCondition: undefined };
    const matchedCondition = hit && { name: hit.condition.name, when: hit.condition.when };
    const covering = hit ? pa.conditions.slice(0, hit.index + 1).map((c) => c.name) : [''];
    const now = this.now();
    const active = covering.some((condition) => {
      const grant = this.grants.get(MemoryAuthzGateway.grantKey({ tenant, principal, action, resource, condition }));
      return grant && grant.start <= now && now < grant.end;
    });
    if (active) return { decision: 'ALLOW', reason: 'active grant', policy: pa.policy, matchedCondition };
    return { decision: 'NEEDS_APPROVAL', reason: `${action} needs approval`, policy: pa.policy, matchedCondition };
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
    if (!this.actions.has(`${tenant}|${action}`)) throw InvalidArgumentError.field('action', `"${action}" is not a registered action in tenant "${tenant}"`);
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

  async registerProtectedAction(
    tenant: string,
    action: string,
    policy: { id: string; hash: string },
    approvers: string[],
    _stepUp: { toAct: boolean; toApprove: boolean },
    conditions: NamedCondition[],
  ) {
    if (!this.tenants.has(tenant)) throw new NotFoundError('tenant', tenant);
    this.actions.set(`${tenant}|${action}`, { policy, approvers, conditions: conditions.map(({ name, when }) => ({ name, when })) });
  }

  /** Every removal asked for, as authz received it. */
  readonly removed: Parameters<AuthzGateway['removeGrant']>[0][] = [];

  async removeGrant(input: Parameters<AuthzGateway['removeGrant']>[0]) {
    this.removed.push(input);
    this.grants.delete(MemoryAuthzGateway.grantKey(input));
  }

  /** Every grant written, as authz received it. */
  readonly written: Parameters<AuthzGateway['writeGrant']>[0][] = [];

  async writeGrant(input: Parameters<AuthzGateway['writeGrant']>[0]) {
    const pa = this.actions.get(`${input.tenant}|${input.action}`);
    if (!pa) throw InvalidArgumentError.field('action', `"${input.action}" is not a registered action in tenant "${input.tenant}"`);
    if (input.condition && !pa.conditions.some((c) => c.name === input.condition)) {
      throw InvalidArgumentError.field('condition', `"${input.condition}" is not a protection condition of ${input.action} (${pa.conditions.map((c) => c.name).join(', ') || 'it has none'})`);
    }
    this.written.push(input);
    const start = input.grantedAt ?? this.now();
    const expiresAt = new Date(start.getTime() + input.durationSeconds * 1000);
    this.grants.set(MemoryAuthzGateway.grantKey(input), { start, end: expiresAt });
    return { expiresAt };
  }
}

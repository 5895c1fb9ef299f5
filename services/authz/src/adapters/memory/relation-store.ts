import type { RelationStore } from '../../domain/ports.js';
import type { Grant } from '../../domain/types.js';

/** In-memory twin of the OpenFGA relation store; same contract (test/contract/relation-store.contract.ts). */
export class MemoryRelationStore implements RelationStore {
  private readonly members = new Set<string>();
  private readonly approvers = new Map<string, Set<string>>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly grants = new Map<string, Grant>();

  modelId(): string {
    return 'memory';
  }

  async isMember(tenant: string, user: string): Promise<boolean> {
    return this.members.has(`${tenant}|${user}`);
  }

  async addMember(tenant: string, user: string): Promise<void> {
    this.members.add(`${tenant}|${user}`);
  }

  /** Test helper: group membership (OpenFGA: user:x member group:g). */
  async addGroupMember(group: string, user: string): Promise<void> {
    const set = this.groups.get(group) ?? new Set();
    set.add(user);
    this.groups.set(group, set);
  }

  async setApprovers(tenant: string, action: string, approvers: string[]): Promise<void> {
    this.approvers.set(`${tenant}|${action}`, new Set(approvers));
  }

  async isApprover(tenant: string, action: string, user: string): Promise<boolean> {
    const set = this.approvers.get(`${tenant}|${action}`);
    if (!set) return false;
    if (set.has(`user:${user}`)) return true;
    for (const subject of set) {
      const m = /^group:(.+)#member$/.exec(subject);
      if (m?.[1] && this.groups.get(m[1])?.has(user)) return true;
    }
    return false;
  }

  async writeGrant(grant: Grant): Promise<void> {
    this.grants.set(`${grant.tenant}|${grant.principal}|${grant.action}|${grant.resource}`, { ...grant });
  }

  async activeGrant(tenant: string, user: string, action: string, resource: string, now: Date): Promise<Date | undefined> {
    if (!(await this.isMember(tenant, user))) return undefined;
    const grant = this.grants.get(`${tenant}|${user}|${action}|${resource}`);
    if (!grant) return undefined;
    return now >= grant.grantedAt && now < grant.expiresAt ? grant.expiresAt : undefined;
  }
}

import type { RelationStore } from '../../domain/ports.js';
import type { Grant } from '../../domain/types.js';
import { grantKey } from '../../domain/grant-key.js';

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

  async addGroupMember(tenant: string, group: string, user: string): Promise<void> {
    const key = `${tenant}/${group}`;
    const set = this.groups.get(key) ?? new Set();
    set.add(user);
    this.groups.set(key, set);
  }

  async removeGroupMember(tenant: string, group: string, user: string): Promise<void> {
    this.groups.get(`${tenant}/${group}`)?.delete(user);
  }

  async listGroupMembers(tenant: string, group: string, page: { limit: number; cursor: string | undefined }) {
    const all = [...(this.groups.get(`${tenant}/${group}`) ?? [])].sort().filter((u) => !page.cursor || u > page.cursor);
    const users = all.slice(0, page.limit);
    return { users, next: all.length > page.limit ? users.at(-1) : undefined };
  }

  async groupsOf(tenant: string, user: string): Promise<string[]> {
    return [...this.groups.entries()]
      .filter(([key, users]) => key.startsWith(`${tenant}/`) && users.has(user))
      .map(([key]) => key.slice(tenant.length + 1))
      .sort();
  }

  async matchSubjects(tenant: string, user: string, subjects: string[]): Promise<string[]> {
    if (!this.members.has(`${tenant}|${user}`)) return [];
    return subjects.filter((s) => s === `user:${user}` || this.inGroup(tenant, s, user));
  }

  private inGroup(tenant: string, subject: string, user: string): boolean {
    const m = /^group:(.+)#member$/.exec(subject);
    return Boolean(m?.[1] && this.groups.get(`${tenant}/${m[1]}`)?.has(user));
  }

  async setApprovers(tenant: string, action: string, approvers: string[]): Promise<void> {
    this.approvers.set(`${tenant}|${action}`, new Set(approvers));
  }

  async listApprovers(tenant: string, action: string): Promise<string[]> {
    const set = this.approvers.get(`${tenant}|${action}`) ?? new Set<string>();
    const users = new Set<string>();
    for (const subject of set) {
      if (subject.startsWith('user:')) users.add(subject.slice('user:'.length));
      const group = /^group:(.+)#member$/.exec(subject)?.[1];
      for (const u of (group && this.groups.get(`${tenant}/${group}`)) || []) users.add(u);
    }
    return [...users].filter((u) => this.members.has(`${tenant}|${u}`)).sort();
  }

  async isApprover(tenant: string, action: string, user: string): Promise<boolean> {
    const set = this.approvers.get(`${tenant}|${action}`);
    if (!set) return false;
    if (set.has(`user:${user}`)) return true;
    return [...set].some((subject) => this.inGroup(tenant, subject, user));
  }

  async writeGrant(grant: Grant): Promise<void> {
    this.grants.set(`${grant.tenant}|${grant.principal}|${grant.action}|${grant.resource}|${grant.condition}`, { ...grant });
  }

  async removeGrant(tenant: string, user: string, action: string, resource: string, grantedAt: Date, condition: string): Promise<boolean> {
    const key = `${tenant}|${user}|${action}|${resource}|${condition}`;
    if (this.grants.get(key)?.grantedAt.getTime() !== grantedAt.getTime()) return false;
    this.grants.delete(key);
    return true;
  }

  async grantsOf(tenant: string, user: string) {
    return [...this.grants.values()]
      .filter((g) => g.tenant === tenant && g.principal === user)
      .map((g) => ({ key: grantKey(g.action, g.resource, g.condition), start: g.grantedAt, end: g.expiresAt }));
  }

  async approvableActions(tenant: string, user: string): Promise<string[]> {
    const actions: string[] = [];
    for (const key of this.approvers.keys()) {
      const [t, action] = key.split('|') as [string, string];
      if (t === tenant && (await this.isApprover(tenant, action, user))) actions.push(action);
    }
    return actions.sort();
  }

  async grantFacts(tenant: string, user: string, action: string, resource: string, condition: string) {
    const grant = this.grants.get(`${tenant}|${user}|${action}|${resource}|${condition}`);
    return { member: await this.isMember(tenant, user), window: grant && { start: grant.grantedAt, end: grant.expiresAt } };
  }

  async activeGrant(tenant: string, user: string, action: string, resource: string, now: Date, condition: string): Promise<Date | undefined> {
    const grant = this.grants.get(`${tenant}|${user}|${action}|${resource}|${condition}`);
    if (!grant) return undefined;
    return now >= grant.grantedAt && now < grant.expiresAt ? grant.expiresAt : undefined;
  }
}

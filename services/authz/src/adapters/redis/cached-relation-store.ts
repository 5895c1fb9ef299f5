import { createHash } from 'node:crypto';
import { LruCache, UnavailableError, type Logger, type Redis } from '@assent/platform';
import type { RelationStore } from '../../domain/ports.js';
import type { Grant } from '../../domain/types.js';
import type { Invalidation, InvalidationBus } from '../nats/invalidation-bus.js';

export interface CachedRelationStoreOptions {
  /** In-process answers kept (LRU). */
  localEntries?: number;
  /** Backstop for an invalidation that never arrived; invalidations normally end an answer first. */
  localTtlMs?: number;
  /** Backstop TTL of shared answers in Redis; writes overwrite them. */
  sharedTtlSeconds?: number;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * Redis keys (under the platform's `<root>:` prefix), tenant-scoped, one builder
 * per value kind. Every answer's key starts with the authorization model id `m`
 * that computed it, so a new model never reads an answer of the old one. Bound:
 * one answer per (model, tenant, user) and per (model, tenant, user, action,
 * resource, condition) until its TTL, and one counter per protected action.
 */
export const authzCacheKeys = {
  /** "1" | "0" */
  member: (m: string, t: string, u: string) => `authz:${m}:member:${t}:${u}`,
  /** Generation of an action's approver set, bumped by every setApprovers; never expires. */
  approversGen: (t: string, a: string) => `authz:approvers-gen:${t}:${a}`,
  /** Generation of the tenant's group memberships, bumped by every group change; never expires. */
  groupsGen: (t: string) => `authz:groups-gen:${t}`,
  /** "1" | "0" under one generation of the approver set and of the tenant's groups. */
  approver: (m: string, t: string, a: string, gen: string, u: string) => `authz:${m}:approver:${t}:${a}:${gen}:${u}`,
  /** "n" (no active grant) | "w:<startMs>:<endMs>"; c: the protection condition ("" when none). */
  grant: (m: string, t: string, u: string, a: string, r: string, c: string) => `authz:${m}:grant:${t}:${u}:${a}:${hash(`${r}\n${c}`)}`,
};

/** In-process keys; the layer is dropped whole when the model changes, so they need no model id. */
const local = {
  member: (t: string, u: string) => `m|${t}|${u}`,
  approversGen: (t: string, a: string) => `ag|${t}|${a}`,
  approver: (t: string, a: string, gen: string, u: string) => `a|${t}|${a}|${gen}|${u}`,
  grant: (t: string, u: string, a: string, r: string, c: string) => `g|${t}|${u}|${a}|${hash(`${r}\n${c}`)}`,
};

const localKeyOf = (inv: Exclude<Invalidation, { kind: 'groups' }>): string => {
  switch (inv.kind) {
    case 'member':
      return local.member(inv.tenant, inv.user);
    case 'approvers':
      return local.approversGen(inv.tenant, inv.action);
    case 'grant':
      return local.grant(inv.tenant, inv.user, inv.action, inv.resource, inv.condition);
  }
};

const grantWindow = (v: string): { start: number; end: number } | undefined => {
  const m = /^w:(\d+):(\d+)$/.exec(v);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
};

/**
 * Caches OpenFGA's answers (membership, approver, active grant) for all replicas:
 * an in-process LRU in front of Redis, in front of the wrapped store. Writes go
 * to the wrapped store first, then overwrite the shared answer in Redis (or bump
 * the action's approver generation), then tell every replica's in-process layer
 * through the invalidation bus; TTLs are only a backstop. Shared fills use SET NX,
 * so a fill computed before a write can never replace the write's answer; an
 * in-process fill is dropped if any invalidation arrived while it was computed.
 * A grant is cached as its window and judged against the caller's clock, so a
 * cached ALLOW never outlives the grant. Redis failing on a read falls through to
 * the wrapped store; on a write it fails the write (writes are retried and idempotent).
 */
export class CachedRelationStore implements RelationStore {
  private readonly local: LruCache<string, string>;
  private readonly localTtlMs: number;
  private readonly sharedTtlSeconds: number;
  /** Bumped by every invalidation: an in-process fill started before it is not kept. */
  private epoch = 0;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly subscription: { stop(): void };

  constructor(
    private readonly inner: RelationStore,
    private readonly redis: Redis,
    private readonly bus: InvalidationBus,
    private readonly logger: Logger,
    opts: CachedRelationStoreOptions = {},
  ) {
    this.local = new LruCache(opts.localEntries ?? 100_000);
    this.localTtlMs = opts.localTtlMs ?? 10_000;
    this.sharedTtlSeconds = opts.sharedTtlSeconds ?? 300;
    this.subscription = bus.subscribe(
      (inv) => this.drop(inv),
      () => this.dropAllLocal(),
    );
  }

  stop(): void {
    this.subscription.stop();
  }

  /**
   * The wrapped store decides with another model now (connect.ts follows the
   * current-model pointer): the in-process answers, which carry no model id, go;
   * Redis answers are keyed by model id and simply stop being read.
   */
  modelChanged(): void {
    this.dropAllLocal();
  }

  modelId(): string {
    return this.inner.modelId();
  }

  async isMember(tenant: string, user: string): Promise<boolean> {
    const v = await this.answer(local.member(tenant, user), authzCacheKeys.member(this.modelId(), tenant, user), this.sharedTtlSeconds * 1000, async () =>
      (await this.inner.isMember(tenant, user)) ? '1' : '0',
    );
    return v === '1';
  }

  async isApprover(tenant: string, action: string, user: string): Promise<boolean> {
    const gen = await this.approversGen(tenant, action);
    if (gen === undefined) return this.inner.isApprover(tenant, action, user);
    const v = await this.answer(local.approver(tenant, action, gen, user), authzCacheKeys.approver(this.modelId(), tenant, action, gen, user), this.sharedTtlSeconds * 1000, async () =>
      (await this.inner.isApprover(tenant, action, user)) ? '1' : '0',
    );
    return v === '1';
  }

  listApprovers(tenant: string, action: string) {
    return this.inner.listApprovers(tenant, action);
  }

  grantsOf(tenant: string, user: string) {
    return this.inner.grantsOf(tenant, user);
  }

  approvableActions(tenant: string, user: string) {
    return this.inner.approvableActions(tenant, user);
  }

  grantFacts(tenant: string, user: string, action: string, resource: string, condition: string) {
    return this.inner.grantFacts(tenant, user, action, resource, condition);
  }

  async activeGrant(tenant: string, user: string, action: string, resource: string, now: Date, condition: string): Promise<Date | undefined> {
    // A grant counts only for a member; membership is only ever added, so a cached
    // grant answer needs no invalidation by membership.
    if (!(await this.isMember(tenant, user))) return undefined;
    const v = await this.answer(local.grant(tenant, user, action, resource, condition), authzCacheKeys.grant(this.modelId(), tenant, user, action, resource, condition), this.sharedTtlSeconds * 1000, async () => {
      const end = await this.inner.activeGrant(tenant, user, action, resource, now, condition);
      // The start is not known here, only that it is not after `now`.
      return end ? `w:0:${end.getTime()}` : 'n';
    });
    const w = grantWindow(v);
    return w && w.start <= now.getTime() && now.getTime() < w.end ? new Date(w.end) : undefined;
  }

  async addMember(tenant: string, user: string): Promise<void> {
    await this.inner.addMember(tenant, user);
    await this.shared(() => this.redis.set(authzCacheKeys.member(this.modelId(), tenant, user), '1', 'EX', this.sharedTtlSeconds));
    await this.invalidate({ kind: 'member', tenant, user });
  }

  async setApprovers(tenant: string, action: string, approvers: string[]): Promise<void> {
    await this.inner.setApprovers(tenant, action, approvers);
    await this.shared(() => this.redis.incr(authzCacheKeys.approversGen(tenant, action)));
    await this.invalidate({ kind: 'approvers', tenant, action });
  }

  async addGroupMember(tenant: string, group: string, user: string): Promise<void> {
    await this.inner.addGroupMember(tenant, group, user);
    await this.groupsChanged(tenant);
  }

  async removeGroupMember(tenant: string, group: string, user: string): Promise<void> {
    await this.inner.removeGroupMember(tenant, group, user);
    await this.groupsChanged(tenant);
  }

  private async groupsChanged(tenant: string): Promise<void> {
    await this.shared(() => this.redis.incr(authzCacheKeys.groupsGen(tenant)));
    await this.invalidate({ kind: 'groups', tenant });
  }

  listGroupMembers(tenant: string, group: string, page: { limit: number; cursor: string | undefined }) {
    return this.inner.listGroupMembers(tenant, group, page);
  }

  groupsOf(tenant: string, user: string): Promise<string[]> {
    return this.inner.groupsOf(tenant, user);
  }

  matchSubjects(tenant: string, user: string, subjects: string[]): Promise<string[]> {
    return this.inner.matchSubjects(tenant, user, subjects);
  }

  async writeGrant(grant: Grant): Promise<void> {
    await this.inner.writeGrant(grant);
    const key = authzCacheKeys.grant(this.modelId(), grant.tenant, grant.principal, grant.action, grant.resource, grant.condition);
    const end = grant.expiresAt.getTime();
    const px = Math.min(this.sharedTtlSeconds * 1000, end - Date.now());
    await this.shared(() => (px > 0 ? this.redis.set(key, `w:${grant.grantedAt.getTime()}:${end}`, 'PX', px) : this.redis.del(key)));
    await this.invalidate({ kind: 'grant', tenant: grant.tenant, user: grant.principal, action: grant.action, resource: grant.resource, condition: grant.condition });
  }

  async removeGrant(tenant: string, user: string, action: string, resource: string, grantedAt: Date, condition: string): Promise<boolean> {
    const removed = await this.inner.removeGrant(tenant, user, action, resource, grantedAt, condition);
    // The cached window would still answer ALLOW: drop it everywhere.
    await this.shared(() => this.redis.del(authzCacheKeys.grant(this.modelId(), tenant, user, action, resource, condition)));
    await this.invalidate({ kind: 'grant', tenant, user, action, resource, condition });
    return removed;
  }

  /** In-process, then Redis, then the wrapped store; concurrent misses of one key share one lookup. */
  private async answer(localKey: string, sharedKey: string, ttlMs: number, compute: () => Promise<string>): Promise<string> {
    const hit = this.local.get(localKey);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(localKey);
    if (pending) return pending;
    const epoch = this.epoch;
    const lookup = (async () => {
      let v = await this.redis.get(sharedKey).catch((err: unknown) => this.redisDown(err));
      if (v === null || v === undefined) {
        v = await compute();
        const w = grantWindow(v);
        const px = w ? Math.min(ttlMs, w.end - Date.now()) : ttlMs;
        if (px > 0) await this.redis.set(sharedKey, v, 'PX', px, 'NX').catch((err: unknown) => this.redisDown(err));
      }
      if (this.epoch === epoch) {
        const w = grantWindow(v);
        this.local.set(localKey, v, Math.min(Date.now() + this.localTtlMs, w ? w.end : Infinity));
      }
      return v;
    })();
    this.inflight.set(localKey, lookup);
    try {
      return await lookup;
    } finally {
      this.inflight.delete(localKey);
    }
  }

  /**
   * The current generation of the action's approvers and the tenant's groups, or
   * undefined when Redis cannot say (then the cache is bypassed).
   */
  private async approversGen(tenant: string, action: string): Promise<string | undefined> {
    const localKey = local.approversGen(tenant, action);
    const hit = this.local.get(localKey);
    if (hit !== undefined) return hit;
    const epoch = this.epoch;
    let gens: (string | null)[];
    try {
      gens = await this.redis.mget(authzCacheKeys.approversGen(tenant, action), authzCacheKeys.groupsGen(tenant));
    } catch (err) {
      this.redisDown(err);
      return undefined;
    }
    const v = `${gens[0] ?? '0'}.${gens[1] ?? '0'}`;
    if (this.epoch === epoch) this.local.set(localKey, v, Date.now() + this.localTtlMs);
    return v;
  }

  private async shared(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      // The relation is written but other replicas may still answer from the old
      // entry: fail so the caller retries (every write here is idempotent).
      throw new UnavailableError('decision cache (Redis) unavailable; retry the write', { cause: err });
    }
  }

  private async invalidate(inv: Invalidation): Promise<void> {
    this.drop(inv);
    await this.bus.publish(inv);
  }

  /** A group change can touch any approver answer of the tenant; such changes are rare, so all go. */
  private drop(inv: Invalidation): void {
    if (inv.kind === 'groups') this.dropAllLocal();
    else this.dropLocal(localKeyOf(inv));
  }

  private dropLocal(key: string): void {
    this.epoch++;
    this.local.delete(key);
  }

  private dropAllLocal(): void {
    this.epoch++;
    this.local.clear();
  }

  private redisDown(err: unknown): undefined {
    this.logger.warn({ err }, 'decision cache (Redis) unavailable; asking OpenFGA');
    return undefined;
  }
}

import { UnavailableError, type Redis } from '@assent/platform';
import type { InboxEntry, InboxIndex, InboxTab } from '../../domain/ports.js';
import { DONE_KEPT, inboxEntries } from '../../domain/inbox-entries.js';
import type { ApprovalRequest } from '../../domain/types.js';

/** Redis keys (under `<root>:`), tenant-scoped, one builder per kind. */
export const inboxKeys = {
  /** ZSET request id → sort score, per subject ("user:bob", "group:finance#member") or person. */
  tab: (tenant: string, tab: InboxTab, key: string) => `inbox:approvals:${tenant}:${tab[0]}:${key}`,
  /** SET of the tab keys a request is filed under. */
  filed: (tenant: string, id: string) => `inbox:approvals:${tenant}:f:${id}`,
  /** Present while Redis holds the index; its absence means it must be rebuilt. */
  built: () => 'inbox:approvals:-built',
};

const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw new UnavailableError('inbox index (Redis) unavailable; retry', { cause: err });
  }
};

/**
 * The inbox projection in Redis: one sorted set per inbox, and per request the set of
 * inboxes it is filed under, so a new state takes it out of the ones it left in one
 * MULTI. Done tabs keep each person's last 1,000 entries.
 */
export class RedisInboxIndex implements InboxIndex {
  constructor(private readonly redis: Redis) {}

  /**
   * True for exactly one caller when Redis does not hold the index (a first start,
   * or Redis lost its data): that replica rebuilds it from the state stream.
   */
  claimRebuild(): Promise<boolean> {
    return guard(async () => (await this.redis.set(inboxKeys.built(), new Date().toISOString(), 'NX')) === 'OK');
  }

  project(r: ApprovalRequest): Promise<void> {
    return guard(async () => {
      const e = inboxEntries(r);
      const filedKey = inboxKeys.filed(r.tenant, r.id);
      const before = await this.redis.smembers(filedKey);
      const now = new Map<string, number>();
      for (const s of e.pending) now.set(inboxKeys.tab(r.tenant, 'pending', s), e.score);
      for (const s of e.snoozed) now.set(inboxKeys.tab(r.tenant, 'snoozed', s.user), s.until);
      const tx = this.redis.multi();
      for (const key of before) if (!now.has(key)) tx.zrem(key, r.id);
      for (const [key, score] of now) tx.zadd(key, score, r.id);
      tx.del(filedKey);
      if (now.size) tx.sadd(filedKey, ...now.keys());
      for (const d of e.done) {
        const key = inboxKeys.tab(r.tenant, 'done', d.user);
        tx.zadd(key, 'NX', -d.at, r.id);
        tx.zremrangebyrank(key, DONE_KEPT, -1);
      }
      await tx.exec();
    });
  }

  page(tenant: string, tab: InboxTab, keys: string[], after: InboxEntry | undefined, limit: number): Promise<InboxEntry[]> {
    return guard(async () => {
      const pages = await Promise.all(
        keys.map(async (key) => {
          // From the cursor's score (inclusive; equal scores are cut by id below), a little
          // more than asked so ties at the cursor do not shorten the page.
          const flat = await this.redis.zrange(inboxKeys.tab(tenant, tab, key), after ? String(after.score) : '-inf', '+inf', 'BYSCORE', 'LIMIT', 0, limit + 16, 'WITHSCORES');
          const out: InboxEntry[] = [];
          for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i] as string, score: Number(flat[i + 1]) });
          return out;
        }),
      );
      const merged = new Map<string, InboxEntry>();
      for (const e of pages.flat()) merged.set(e.id, e);
      return [...merged.values()]
        .filter((e) => !after || e.score > after.score || (e.score === after.score && e.id > after.id))
        .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    });
  }
}

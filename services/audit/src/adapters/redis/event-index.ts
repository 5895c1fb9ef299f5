import type { Redis } from '@assent/platform';

/** Typed, tenant-scoped keys (the client adds the `<root>:` prefix). */
const keys = {
  events: (tenant: string) => `audit:event-index:${tenant}`,
  indexedThrough: (tenant: string) => `audit:event-index-through:${tenant}`,
};

// Adds entries and moves the watermark from `from` to `to` only if it is still at
// `from`, so it never jumps over a record nobody indexed (a writer that died between
// its append and its index update leaves the watermark behind for catch-up to fix).
const ADD = `
local current = redis.call('GET', KEYS[2]) or '0'
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if current == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 end
return 0
`;

export interface IndexEntry {
  eventId: string;
  sequence: number;
}

/**
 * eventId → chain sequence per tenant, plus the stream sequence through which the
 * tenant's chain is known to be indexed. A projection of the audit stream: if Redis
 * loses it, catch-up rebuilds it from the stream, so no event is ever recorded twice.
 */
export class RedisEventIndex {
  constructor(private readonly redis: Redis) {}

  async has(tenant: string, eventId: string): Promise<boolean> {
    return (await this.redis.hexists(keys.events(tenant), eventId)) === 1;
  }

  async indexedThrough(tenant: string): Promise<number> {
    return Number((await this.redis.get(keys.indexedThrough(tenant))) ?? 0);
  }

  /** Records entries found between stream sequences `from` (exclusive) and `to` (inclusive). */
  async add(tenant: string, entries: IndexEntry[], from: number, to: number): Promise<void> {
    const args = entries.flatMap((e) => [e.eventId, String(e.sequence)]);
    await this.redis.eval(ADD, 2, keys.events(tenant), keys.indexedThrough(tenant), String(from), String(to), ...args);
  }
}

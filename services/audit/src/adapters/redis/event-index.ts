import type { Redis } from '@assent/platform';

/** Typed, tenant-scoped keys (the client adds the `<root>:` prefix). */
const keys = {
  events: (tenant: string) => `audit:event-ids:${tenant}`,
  indexedThrough: (tenant: string) => `audit:event-index-through:${tenant}`,
};

/**
 * The bound: the index keeps the event ids of a tenant's last MAX_INDEXED records.
 * A redelivery can only reach back as far as the audit consumer's ack floor, which
 * is minutes behind the head, far inside this window.
 */
export const MAX_INDEXED = 1_000_000;

// Adds entries (score = chain sequence), trims to the newest MAX_INDEXED, and moves the
// watermark from `from` to `to` only if it is still at `from`, so it never jumps over a
// record nobody indexed (a writer that died between its append and its index update
// leaves the watermark behind for catch-up to fix). Returns 1 when the watermark moved.
const ADD = `
local current = redis.call('GET', KEYS[2]) or '0'
local top = 0
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  top = math.max(top, tonumber(ARGV[i + 1]))
end
if top > tonumber(ARGV[3]) then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', top - tonumber(ARGV[3])) end
if current == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 end
return 0
`;

export interface IndexEntry {
  eventId: string;
  sequence: number;
}

/**
 * eventId → chain sequence per tenant (a sorted set trimmed to the newest
 * MAX_INDEXED), plus the stream sequence through which the tenant's chain is known to
 * be indexed. A projection of the audit stream: if Redis loses it, catch-up rebuilds
 * it from the stream, so no event is ever recorded twice.
 */
export class RedisEventIndex {
  constructor(private readonly redis: Redis) {}

  async has(tenant: string, eventId: string): Promise<boolean> {
    return (await this.redis.zscore(keys.events(tenant), eventId)) !== null;
  }

  /** The ids among `eventIds` that are indexed (one round trip). */
  async known(tenant: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const scores = await this.redis.zmscore(keys.events(tenant), ...eventIds);
    return new Set(eventIds.filter((_, i) => scores[i] !== null));
  }

  async indexedThrough(tenant: string): Promise<number> {
    return Number((await this.redis.get(keys.indexedThrough(tenant))) ?? 0);
  }

  /** Records entries found between stream sequences `from` (exclusive) and `to` (inclusive); true when the watermark moved to `to`. */
  async add(tenant: string, entries: IndexEntry[], from: number, to: number): Promise<boolean> {
    const args = entries.flatMap((e) => [e.eventId, String(e.sequence)]);
    const moved = await this.redis.eval(ADD, 2, keys.events(tenant), keys.indexedThrough(tenant), String(from), String(to), String(MAX_INDEXED), ...args);
    return moved === 1;
  }
}

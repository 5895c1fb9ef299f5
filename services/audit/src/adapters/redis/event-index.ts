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
// ARGV[4] is the highest sequence; ARGV[5..] are score, member pairs (one ZADD).
const ADD = `
local current = redis.call('GET', KEYS[2]) or '0'
if #ARGV > 4 then redis.call('ZADD', KEYS[1], unpack(ARGV, 5)) end
local top = tonumber(ARGV[4])
if top > tonumber(ARGV[3]) then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', top - tonumber(ARGV[3])) end
if current == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 end
return 0
`;

/** At most this many entries per script call (Lua's unpack has a stack limit of about 8,000 values). */
const ADD_CHUNK = 1_024;

/** Sent once per connection and then called by its SHA (EVALSHA): the script text is not resent with every append. */
type WithAdd = Redis & { auditIndexAdd(numKeys: number, ...args: string[]): Promise<number> };

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
  private readonly redis: WithAdd;

  constructor(redis: Redis) {
    if (!('auditIndexAdd' in redis)) redis.defineCommand('auditIndexAdd', { lua: ADD });
    this.redis = redis as WithAdd;
  }

  /** The connection, for the audit service's other projections (the query index) to share. */
  get client(): Redis {
    return this.redis;
  }

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
    // Chunks before the last leave the watermark where it is (from → from): only the last moves it.
    for (let i = 0; i + ADD_CHUNK < entries.length; i += ADD_CHUNK) await this.call(tenant, entries.slice(i, i + ADD_CHUNK), from, from);
    return (await this.call(tenant, entries.slice(Math.floor(Math.max(0, entries.length - 1) / ADD_CHUNK) * ADD_CHUNK), from, to)) === 1;
  }

  private call(tenant: string, entries: IndexEntry[], from: number, to: number): Promise<number> {
    const args: string[] = [String(from), String(to), String(MAX_INDEXED), String(entries.reduce((top, e) => Math.max(top, e.sequence), 0))];
    for (const e of entries) args.push(String(e.sequence), e.eventId);
    return this.redis.auditIndexAdd(2, keys.events(tenant), keys.indexedThrough(tenant), ...args);
  }
}

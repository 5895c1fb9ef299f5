import type { Redis } from '@assent/platform';
import type { FilterName } from '../../domain/query-order.js';
import type { QueryKey } from '../../domain/types.js';

/** Typed, tenant-scoped keys (the client adds the `<root>:` prefix). */
const keys = {
  all: (tenant: string) => `audit:query:${tenant}:all`,
  by: (tenant: string, filter: FilterName, value: string) => `audit:query:${tenant}:${filter}:${value}`,
  indexedThrough: (tenant: string) => `audit:query-through:${tenant}`,
};

// One call per append: adds members (score 0) to each set KEYS[2..] (ARGV[3..]: a count,
// then that many members, per set, in KEYS order; ZADD in chunks within Lua's unpack
// limit), then moves the watermark KEYS[1] from ARGV[1] to ARGV[2] only if it is still
// at ARGV[1], as the event index does, so it never jumps over records nobody indexed.
const ADD = `
local pos = 3
for k = 2, #KEYS do
  local n = tonumber(ARGV[pos])
  pos = pos + 1
  local i = 0
  while i < n do
    local args = {}
    local m = math.min(n - i, 1000)
    for j = 0, m - 1 do
      args[#args + 1] = 0
      args[#args + 1] = ARGV[pos + i + j]
    end
    redis.call('ZADD', KEYS[k], unpack(args))
    i = i + m
  end
  pos = pos + n
end
local current = redis.call('GET', KEYS[1]) or '0'
if current == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
return 0
`;

type WithAdd = Redis & { auditQueryAdd(numKeys: number, ...args: string[]): Promise<number> };

/** Members per ZRANGEBYLEX while intersecting filters. */
const CHUNK = 512;
const MAX_TIME = 9_999_999_999_999;

const pad = (n: number, width: number) => String(Math.max(0, n)).padStart(width, '0');
/** "<time ms, 13 digits>:<sequence, 12 digits>": sorts as the query order does. */
const keyBody = (k: QueryKey) => `${pad(Math.min(k.time, MAX_TIME), 13)}:${pad(k.sequence, 12)}`;

/** "<time>:<sequence>:<at>" → its key and where the record is. */
function parseMember(m: string): { key: QueryKey; at: string } {
  const [time = '0', sequence = '0'] = m.split(':', 2);
  return { key: { time: Number(time), sequence: Number(sequence) }, at: m.slice(time.length + sequence.length + 2) };
}

export interface QueryIndexEntry {
  key: QueryKey;
  /** Where the adapter finds the record (JetStream: "<stream seq>.<index in block>"). */
  at: string;
  /** The values it is indexed under; undefined: only by time (a record without canonical fields). */
  values: Record<FilterName, string> | undefined;
}

export interface QueryRange {
  since: Date;
  until: Date;
  after?: QueryKey | undefined;
  before?: QueryKey | undefined;
}

/**
 * The query index of audit records: per tenant, one sorted set of every record and
 * one per filter value (actor, action, target, outcome, category), all members
 * "<time>:<sequence>:<where>" with score 0, so ZRANGEBYLEX reads a time window in
 * order and a member is the same in every set. A query reads the set of its one
 * filter; with several, it counts each set in the window (ZLEXCOUNT), answers at once
 * when one is empty, and otherwise walks the smallest and checks the others with
 * ZMSCORE. A projection of the audit stream with its own watermark: catch-up rebuilds
 * it, so losing Redis loses nothing. docs/decisions.md "Audit query index" has the limits.
 */
export class RedisQueryIndex {
  private readonly redis: WithAdd;

  constructor(redis: Redis) {
    if (!('auditQueryAdd' in redis)) redis.defineCommand('auditQueryAdd', { lua: ADD });
    this.redis = redis as WithAdd;
  }

  async indexedThrough(tenant: string): Promise<number> {
    return Number((await this.redis.get(keys.indexedThrough(tenant))) ?? 0);
  }

  /** Indexes entries found between stream sequences `from` (exclusive) and `to`; true when the watermark moved to `to`. */
  async add(tenant: string, entries: QueryIndexEntry[], from: number, to: number): Promise<boolean> {
    const bySet = new Map<string, string[]>();
    const put = (key: string, member: string) => {
      const members = bySet.get(key);
      if (members) members.push(member);
      else bySet.set(key, [member]);
    };
    for (const e of entries) {
      const member = `${keyBody(e.key)}:${e.at}`;
      put(keys.all(tenant), member);
      if (!e.values) continue;
      for (const [filter, value] of Object.entries(e.values) as [FilterName, string][]) if (value) put(keys.by(tenant, filter, value), member);
    }
    // ZADD is idempotent: a retry or a catch-up over the same records changes nothing.
    const sets = [...bySet.keys()];
    const args = [String(from), String(to), ...[...bySet.values()].flatMap((members) => [String(members.length), ...members])];
    return (await this.redis.auditQueryAdd(1 + sets.length, keys.indexedThrough(tenant), ...sets, ...args)) === 1;
  }

  /**
   * Up to `limit` members matching every filter in the range, oldest first; with
   * `before` (and no `after`) the newest `limit` before it. `more` when another exists.
   */
  async range(tenant: string, filters: [FilterName, string][], range: QueryRange, limit: number): Promise<{ found: { key: QueryKey; at: string }[]; more: boolean }> {
    const lowBodies = [pad(range.since.getTime(), 13), ...(range.after ? [`${keyBody(range.after)};`] : [])];
    const highBodies = [pad(Math.min(range.until.getTime(), MAX_TIME), 13), ...(range.before ? [keyBody(range.before)] : [])];
    const low = `[${lowBodies.reduce((a, b) => (a > b ? a : b))}`;
    const high = `(${highBodies.reduce((a, b) => (a < b ? a : b))}`;
    const backwards = range.before !== undefined && range.after === undefined;
    const sets = filters.length === 0 ? [keys.all(tenant)] : filters.map(([f, v]) => keys.by(tenant, f, v));
    const want = limit + 1;

    let found: string[];
    if (sets.length === 1) {
      found = await this.read(sets[0] as string, low, high, want, backwards);
    } else {
      const counted = await this.redis.pipeline(sets.map((s) => ['zlexcount', s, low, high])).exec();
      const counts = (counted ?? []).map(([err, n]) => {
        if (err) throw err;
        return Number(n);
      });
      // A filter value with nothing in the window: the answer, without reading any set.
      if (counts.some((n) => n === 0)) return { found: [], more: false };
      const order = sets.map((s, i) => ({ s, n: counts[i] ?? 0 })).sort((a, b) => a.n - b.n);
      const [driver, ...others] = order.map((o) => o.s) as [string, ...string[]];
      found = [];
      let [lo, hi] = [low, high];
      for (;;) {
        const chunk = await this.read(driver, lo, hi, CHUNK, backwards);
        if (chunk.length === 0) break;
        const scores = ((await this.redis.pipeline(others.map((o) => ['zmscore', o, ...chunk])).exec()) ?? []).map(([err, s]) => {
          if (err) throw err;
          return Array.isArray(s) ? s : [];
        });
        const inAll = chunk.map((_, i) => scores.every((s) => s[i] !== null && s[i] !== undefined));
        for (let i = 0; i < chunk.length && found.length < want; i++) if (inAll[i]) found.push(chunk[i] as string);
        if (found.length >= want || chunk.length < CHUNK) break;
        const edge = `(${chunk.at(-1) as string}`;
        if (backwards) hi = edge;
        else lo = edge;
      }
    }
    const more = found.length > limit;
    const page = found.slice(0, limit);
    if (backwards) page.reverse();
    return { found: page.map(parseMember), more };
  }

  private read(set: string, low: string, high: string, count: number, backwards: boolean): Promise<string[]> {
    return backwards ? this.redis.zrevrangebylex(set, high, low, 'LIMIT', 0, count) : this.redis.zrangebylex(set, low, high, 'LIMIT', 0, count);
  }
}

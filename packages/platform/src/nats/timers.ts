import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { type KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Nats } from './connect.js';
import { openKvBucket } from './kv-bucket.js';
import { DEFAULT_LEASE_TTL_MS, leaseBucket, startLease, type RunningLease } from './lease.js';
import { streamReplicas } from './streams.js';
import type { Names } from './subjects.js';

/** Shards of every timer index: fixed, since an entry's key names its shard. */
export const TIMER_SHARDS = 8;
/** Longest a timer may lie ahead; entries (and the markers cleared ones leave) expire after it. */
export const MAX_TIMER_HORIZON_MS = 400 * 24 * 3600 * 1000;
/** setTimeout holds at most ~24.8 days; a later timer is re-armed when that passes. */
const MAX_DELAY_MS = 2 ** 31 - 1;
const FIRE_CONCURRENCY = 64;

/** FNV-1a of "tenant/id", so a request always lands in the same shard. */
export function timerShard(tenant: string, id: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${tenant}/${id}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % TIMER_SHARDS;
}

/** The timer index of one entity kind: at most one pending wake-up per entity. */
export function openTimerBucket(nats: Nats, n: Names, entity: string): Promise<KV> {
  return openKvBucket(nats.nc, n.timersBucket(entity), { history: 1, ttl: MAX_TIMER_HORIZON_MS + 24 * 3600 * 1000, replicas: streamReplicas() });
}

/**
 * Writes an entity's next wake-up into the index (or clears it). Written from the
 * entity's outbox relay, in the entity's transition order, so the index follows
 * the stored state: a timer is never lost with a crash between the state write
 * and the index write, because the relay retries the message until both are done.
 */
export class TimerIndex {
  constructor(private readonly kv: KV) {}

  static async open(nats: Nats, n: Names, entity: string): Promise<TimerIndex> {
    return new TimerIndex(await openTimerBucket(nats, n, entity));
  }

  key(tenant: string, id: string): string {
    return `${timerShard(tenant, id)}.${tenant}.${id}`;
  }

  async set(tenant: string, id: string, at: Date | undefined): Promise<void> {
    const key = this.key(tenant, id);
    if (at) await this.kv.put(key, JSON.stringify({ at: at.getTime() }));
    else await this.kv.delete(key);
  }
}

export interface TimerOptions {
  nats: Nats;
  names: Names;
  logger: Logger;
  metrics?: Metrics | undefined;
  entity: string;
  /**
   * Wakes one entity whose timer is due. Must be idempotent: it reads the entity and
   * applies only what is due and not yet done, with a compare-and-set, so a second
   * firing (a shard changing owner mid-fire) changes nothing. A throw retries it.
   */
  fire: (tenant: string, id: string, at: Date) => Promise<void>;
  leaseTtlMs?: number;
  retryMs?: (attempt: number) => number;
}

export interface RunningTimers {
  /** Shards this replica owns now. */
  owned(): number[];
  stop(): Promise<void>;
}

interface Entry {
  at: number;
  revision: number;
  handle: NodeJS.Timeout | undefined;
  attempt: number;
}

/**
 * Fires entity timers: time-ordered per-shard schedules with one owner per shard.
 * Every replica competes for each shard's lease; the owner loads the shard's pending
 * entries from the index (a watch: current values, then every change) and arms one
 * in-process timer per entry, so nothing is scanned or polled. A fired entry is
 * cleared with a compare-and-set on its revision, so a wake-up scheduled meanwhile
 * by the entity's next transition survives. When an owner dies its shards pass to
 * another replica within the lease TTL, which fires whatever fell due meanwhile.
 */
export async function startTimers(opts: TimerOptions): Promise<RunningTimers> {
  const kv = await openTimerBucket(opts.nats, opts.names, opts.entity);
  const retryMs = opts.retryMs ?? ((n: number) => Math.min(30_000, 250 * 2 ** (n - 1)) * (0.8 + Math.random() * 0.4));
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const owners = new Map<number, ShardOwner>();
  const leases: RunningLease[] = [];
  const slots = new Semaphore(FIRE_CONCURRENCY);
  const ttlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const balance = await startBalancing(opts, holder, ttlMs, () => [...owners.keys()], (shard) => leases[shard]?.yield() ?? Promise.resolve());
  for (let shard = 0; shard < TIMER_SHARDS; shard++) {
    leases.push(
      await startLease({
        nats: opts.nats,
        names: opts.names,
        logger: opts.logger,
        name: `timers.${opts.entity}.${shard}`,
        holder,
        ...(opts.leaseTtlMs ? { ttlMs: opts.leaseTtlMs } : {}),
        canAcquire: () => owners.size < balance.share(),
        onAcquired: async () => {
          const owner = new ShardOwner(kv, shard, opts, retryMs, slots);
          await owner.start();
          owners.set(shard, owner);
          return async () => {
            owners.delete(shard);
            await owner.stop();
          };
        },
      }),
    );
  }
  return {
    owned: () => [...owners.keys()].sort((a, b) => a - b),
    async stop() {
      await balance.stop();
      await Promise.all(leases.map((l) => l.stop()));
    },
  };
}

/**
 * Spreads the shards over the live replicas: each announces itself in the lease
 * bucket (the bucket's max age drops a replica that died), takes free shards only
 * while it holds fewer than its fair share (ceil(shards / replicas)), and yields the
 * ones above its share, which a replica below its share then takes. A dead replica
 * drops out of the count within the lease TTL, when its shard leases expire too, so
 * the survivors' shares grow and they take its shards.
 */
async function startBalancing(opts: TimerOptions, holder: string, ttlMs: number, owned: () => number[], giveUp: (shard: number) => Promise<void>) {
  const kv = await leaseBucket(opts.nats, opts.names, ttlMs);
  const prefix = `timers.${opts.entity}.members`;
  const me = `${prefix}.${holder.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  let share = TIMER_SHARDS;
  let stopped = false;
  const log = opts.logger.child({ timers: opts.entity });
  const tick = async () => {
    await kv.put(me, holder);
    let members = 0;
    for await (const _ of await kv.keys(`${prefix}.*`)) members++;
    share = Math.ceil(TIMER_SHARDS / Math.max(1, members));
    const mine = owned().sort((a, b) => b - a);
    for (const shard of mine.slice(0, Math.max(0, mine.length - share))) {
      if (stopped) return;
      log.info({ shard, share, members }, 'yielding a timer shard above this replica\'s share');
      await giveUp(shard);
    }
  };
  let running: Promise<void> = tick().catch((err: unknown) => log.warn({ err }, 'timer balancing failed'));
  await running;
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : tick())).catch((err: unknown) => log.warn({ err }, 'timer balancing failed'));
  }, Math.max(200, Math.floor(ttlMs / 3)));
  return {
    share: () => share,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      // Leave the count now, so the others take this replica's shards at once.
      await kv.delete(me).catch(() => undefined);
    },
  };
}

class ShardOwner {
  private readonly entries = new Map<string, Entry>();
  private stopWatch: () => void = () => undefined;
  private loop: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly kv: KV,
    private readonly shard: number,
    private readonly opts: TimerOptions,
    private readonly retryMs: (attempt: number) => number,
    private readonly slots: Semaphore,
  ) {
    this.log = opts.logger.child({ timers: opts.entity, shard });
  }

  /** Starts the shard's watch; a watch that ends is started again, reloading the shard. */
  async start(): Promise<void> {
    let watch = await this.kv.watch({ key: `${this.shard}.>` });
    this.loop = (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        this.stopWatch = () => watch.stop();
        try {
          for await (const e of watch) {
            if (e.operation === 'PUT') this.schedule(e.key, e.json<{ at: number }>().at, e.revision);
            else this.cancel(e.key);
            attempt = 0;
          }
        } catch (err) {
          if (!this.stopped) this.log.warn({ err }, 'timer index watch failed');
        }
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
        if (this.stopped) return;
        try {
          watch = await this.kv.watch({ key: `${this.shard}.>` });
        } catch (err) {
          this.log.warn({ err }, 'timer index watch could not restart');
        }
      }
    })();
  }

  private schedule(key: string, at: number, revision: number): void {
    this.cancel(key);
    const entry: Entry = { at, revision, handle: undefined, attempt: 0 };
    this.entries.set(key, entry);
    this.arm(key, entry, at);
  }

  private arm(key: string, entry: Entry, when: number): void {
    const delay = Math.max(0, when - Date.now());
    entry.handle = setTimeout(() => {
      entry.handle = undefined;
      // Node's timers run on a monotonic clock and may wake a millisecond before the
      // wall clock says; a timer never fires before its time (and one past setTimeout's range re-arms).
      if (Date.now() < when) this.arm(key, entry, when);
      else this.track(this.fire(key, entry));
    }, Math.min(delay, MAX_DELAY_MS));
  }

  private cancel(key: string): void {
    const old = this.entries.get(key);
    if (old?.handle) clearTimeout(old.handle);
    this.entries.delete(key);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async fire(key: string, entry: Entry): Promise<void> {
    const [, tenant, id] = key.split('.') as [string, string, string];
    await this.slots.run(async () => {
      if (this.stopped || this.entries.get(key) !== entry) return;
      const started = Date.now();
      try {
        await this.opts.fire(tenant, id, new Date(entry.at));
      } catch (err) {
        if (this.stopped || this.entries.get(key) !== entry) return;
        entry.attempt++;
        const wait = this.retryMs(entry.attempt);
        this.log.warn({ err, tenant, id, attempt: entry.attempt, retryInMs: Math.round(wait) }, 'timer handler failed; retrying');
        this.arm(key, entry, Date.now() + wait);
        return;
      }
      this.opts.metrics?.timerDrift.observe({ entity: this.opts.entity }, Math.max(0, started - entry.at) / 1000);
      if (this.entries.get(key) !== entry) return;
      this.entries.delete(key);
      // Only if unchanged: the entity's next transition may already have set a new one.
      await this.kv.delete(key, { previousSeq: entry.revision }).catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch();
    for (const e of this.entries.values()) if (e.handle) clearTimeout(e.handle);
    this.entries.clear();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }
}

/** Bounds how many timer handlers run at once in this process. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

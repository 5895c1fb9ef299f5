import { streamReplicas } from './streams.js';
import { type KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { Nats } from './connect.js';
import { openKvBucket } from './kv-bucket.js';
import type { Names } from './subjects.js';

export interface LeaseOptions {
  nats: Nats;
  names: Names;
  logger: Logger;
  /** Lease name, e.g. the durable consumer it guards. */
  name: string;
  /** Who holds it (process-unique). */
  holder: string;
  /** How long a holder that stops renewing keeps the lease. */
  ttlMs?: number;
  /** Called when this holder gains the lease; the returned function is called when it loses or releases it. */
  onAcquired: () => Promise<() => Promise<void>>;
  /** Asked before each attempt to take a free lease; false waits (e.g. this holder has its fair share). */
  canAcquire?: () => boolean;
}

export interface RunningLease {
  /** Whether this holder currently holds the lease. */
  held(): boolean;
  /** Stops trying, runs the release callback and frees the lease for another holder at once. */
  stop(): Promise<void>;
  /** Gives the lease up now (release callback, key freed) and keeps competing for it later. */
  yield(): Promise<void>;
}

const buckets = new WeakMap<Nats, Map<string, Promise<KV>>>();

/** Lease TTL unless a consumer says otherwise: a standby takes over within it. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/** One bucket per root, with a max age equal to the lease TTL so an abandoned lease expires by itself. */
export function leaseBucket(nats: Nats, n: Names, ttlMs: number): Promise<KV> {
  let perRoot = buckets.get(nats);
  if (!perRoot) buckets.set(nats, (perRoot = new Map()));
  const key = `${n.upper}:${ttlMs}`;
  let kv = perRoot.get(key);
  if (!kv) {
    kv = openKvBucket(nats.nc, `${n.upper}_leases_${ttlMs}`, { history: 1, ttl: ttlMs, replicas: streamReplicas() });
    perRoot.set(key, kv);
  }
  return kv;
}

/**
 * A lease in JetStream KV: `create` succeeds for one holder only, the holder renews
 * it with a compare-and-set `update` every ttl/3, and the bucket's max age expires a
 * lease whose holder died. NATS 2.9 has no single-active-consumer, so consumers that
 * must keep order across replicas run only while their replica holds the lease.
 */
export async function startLease(opts: LeaseOptions): Promise<RunningLease> {
  const ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const kv = await leaseBucket(opts.nats, opts.names, ttlMs);
  const log = opts.logger.child({ lease: opts.name });
  let revision = 0;
  let release: (() => Promise<void>) | undefined;
  let stopped = false;
  let transition: Promise<void> = Promise.resolve();

  const lose = async (why: string) => {
    revision = 0;
    const r = release;
    release = undefined;
    if (r) {
      log.warn({ why }, 'lease lost; stopping');
      await r().catch((err: unknown) => log.error({ err }, 'lease release callback failed'));
    }
  };

  const tick = async () => {
    if (stopped) return;
    if (revision) {
      try {
        revision = await kv.update(opts.name, opts.holder, revision);
      } catch (err) {
        await lose((err as Error).message);
      }
      return;
    }
    if (opts.canAcquire && !opts.canAcquire()) return;
    try {
      revision = await kv.create(opts.name, opts.holder);
    } catch {
      return; // someone else holds it
    }
    log.info('lease acquired');
    try {
      release = await opts.onAcquired();
    } catch (err) {
      log.error({ err }, 'could not start after acquiring the lease; releasing it');
      await kv.delete(opts.name, { previousSeq: revision }).catch(() => undefined);
      revision = 0;
    }
  };

  const run = () => {
    transition = transition.then(tick, tick);
    return transition;
  };
  await run();
  const timer = setInterval(() => void run(), Math.max(200, Math.floor(ttlMs / 3)));
  const free = async (why: string) => {
    const r = revision;
    await lose(why);
    // Free it now rather than after the TTL, so another holder takes over at once.
    if (r) await kv.delete(opts.name, { previousSeq: r }).catch(() => undefined);
  };
  return {
    held: () => revision > 0,
    yield() {
      transition = transition.then(() => free('yielded'), () => free('yielded'));
      return transition;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await transition.catch(() => undefined);
      await free('stopped');
    },
  };
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import { startLease, type Logger, type Names, type Nats } from '@assent/platform';
import type { SweepResult } from './expired-grant-reaper.js';

export interface GrantReaperScheduleOptions {
  nats: Nats;
  names: Names;
  logger: Logger;
  /** The service's metrics registry (`rt.metrics.registry`). */
  registry: Registry;
  reaper: { sweep(now: Date, signal?: AbortSignal): Promise<SweepResult> };
  /** Time between sweeps; 0 turns the reaper off. */
  intervalMs: number;
  now?: () => Date;
  leaseTtlMs?: number;
}

export interface RunningGrantReaper {
  /** Whether this replica holds the reaper's lease (and so is the one that sweeps). */
  sweeping(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs the expired-grant sweep every `intervalMs` on one replica at a time: the
 * holder of the `authz.grant-reaper` lease (packages/platform lease, JetStream KV).
 * The lease saves work, not correctness: every delete is a compare-and-delete, so
 * two replicas sweeping at once during a handover cannot remove a live grant. The
 * first sweep after taking the lease comes at a random point within one interval:
 * sweeping on every take-over would rescan the store at each rolling restart, and
 * waiting a whole interval would let restarts that come more often postpone it forever.
 * Each sweep logs one summary line and feeds the metrics; nothing is published.
 */
export async function startGrantReaper(opts: GrantReaperScheduleOptions): Promise<RunningGrantReaper> {
  if (opts.intervalMs <= 0) return { sweeping: () => false, stop: async () => undefined };
  const log = opts.logger.child({ component: 'grant-reaper' });
  const now = opts.now ?? (() => new Date());
  const registers = [opts.registry];
  const reaped = new Counter({ name: 'assent_authz_grants_reaped_total', help: 'Expired grant tuples deleted by the reaper (with their stamps)', registers });
  const racesLost = new Counter({
    name: 'assent_authz_grant_reap_races_lost_total',
    help: 'Reaper compare-and-deletes refused because the grant was replaced, extended or removed after it was read (the grant stays)',
    registers,
  });
  const unstamped = new Gauge({
    name: 'assent_authz_grants_unstamped',
    help: 'Expired grant tuples without a stamp (written before stamps) seen by the last sweep; the reaper never deletes them',
    registers,
  });
  const sweeps = new Counter({ name: 'assent_authz_grant_reaper_sweeps_total', help: 'Reaper sweeps, by outcome (ok, failed)', labelNames: ['outcome'], registers });

  const sweepOnce = async (signal: AbortSignal) => {
    const started = Date.now();
    try {
      const r = await opts.reaper.sweep(now(), signal);
      reaped.inc(r.reaped);
      racesLost.inc(r.racesLost);
      unstamped.set(r.unstamped);
      sweeps.inc({ outcome: 'ok' });
      log.info({ ...r, ms: Date.now() - started }, 'grant reaper sweep');
    } catch (err) {
      if (signal.aborted) return;
      sweeps.inc({ outcome: 'failed' });
      log.warn({ err, nextInMs: opts.intervalMs }, 'grant reaper sweep failed; the next one tries again');
    }
  };

  const lease = await startLease({
    nats: opts.nats,
    names: opts.names,
    logger: log,
    name: 'authz.grant-reaper',
    holder: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    ...(opts.leaseTtlMs ? { ttlMs: opts.leaseTtlMs } : {}),
    onAcquired: async () => {
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      const next = (delayMs: number) => {
        timer = setTimeout(() => {
          running = sweepOnce(abort.signal).then(() => {
            if (!abort.signal.aborted) next(opts.intervalMs);
          });
        }, delayMs);
      };
      next(Math.floor(Math.random() * opts.intervalMs));
      return async () => {
        abort.abort();
        clearTimeout(timer);
        await running;
      };
    },
  });
  return { sweeping: () => lease.held(), stop: () => lease.stop() };
}

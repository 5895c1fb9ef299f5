import type { Logger } from '@assent/platform';
import { checkpointHead } from '../../domain/checkpoint-head.js';
import type { CheckpointDeps } from '../../domain/ports.js';

export interface CheckpointSchedule {
  /** The tenant's head moved: sign it at the next tick. */
  touched(tenant: string): void;
  /** Signs every touched tenant now (what a tick does). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Signs a checkpoint every `intervalMs` for each tenant whose head moved since the
 * last tick: the tenants this replica appended to, plus, at start, every tenant with a
 * chain (`initialTenants`), so heads a stopped replica left unsigned are covered.
 * Every replica runs it; checkpointHead's compare-and-set makes one of them sign a
 * given head and the others find it covered. A tenant that fails stays touched and is
 * tried again at the next tick.
 */
export function startCheckpointSchedule(opts: {
  deps: CheckpointDeps;
  intervalMs: number;
  logger: Logger;
  initialTenants?: () => Promise<string[]>;
}): CheckpointSchedule {
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  let seeded = opts.initialTenants === undefined;

  async function tick(): Promise<void> {
    if (!seeded && opts.initialTenants) {
      try {
        for (const t of await opts.initialTenants()) pending.add(t);
        seeded = true;
      } catch (err) {
        opts.logger.warn({ err }, 'listing audit chains for checkpoints failed; retrying at the next tick');
      }
    }
    const tenants = [...pending];
    pending.clear();
    for (const tenant of tenants) {
      try {
        const outcome = await checkpointHead(opts.deps, tenant);
        if (outcome?.created) opts.logger.debug({ tenant, index: outcome.checkpoint.index, sequence: outcome.checkpoint.sequence }, 'audit checkpoint signed');
      } catch (err) {
        pending.add(tenant);
        opts.logger.warn({ err, tenant }, 'audit checkpoint failed; retrying at the next tick');
      }
    }
  }

  const runOnce = (): Promise<void> => {
    // One tick at a time: a slow tick delays the next rather than overlapping it.
    running ??= tick().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runOnce(), opts.intervalMs);
  timer.unref();

  return {
    touched: (tenant) => pending.add(tenant),
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

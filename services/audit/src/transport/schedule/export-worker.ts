import type { Logger } from '@assent/platform';
import type { ExportDeps } from '../../domain/export/export-ports.js';
import { ExportLostError, claimExport, runExport, type RunOptions } from '../../domain/export/run-export.js';

export interface ExportWorker {
  /** A job was created here: look for work now rather than at the next tick. */
  kick(): void;
  /** Takes and runs claimable jobs until none is left (what a tick does). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs export jobs on every replica, one at a time each. Every `intervalMs` (and on
 * kick) it looks at the jobs the store holds for one that is PENDING, or RUNNING but
 * silent for `staleMs` (its replica died): claimExport's compare-and-set gives it to
 * one replica. The store answers from its watch-fed mirror, so a tick costs no round
 * trip. On stop, the running job is handed back as PENDING for another replica.
 */
export function startExportWorker(opts: { deps: ExportDeps; logger: Logger; intervalMs?: number; staleMs?: number; run?: Omit<RunOptions, 'signal'> }): ExportWorker {
  const staleMs = opts.staleMs ?? 30_000;
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;

  async function tick(): Promise<void> {
    do {
      again = false;
      const now = opts.deps.clock.now();
      for (const seen of await opts.deps.jobs.claimable(new Date(now.getTime() - staleMs))) {
        if (abort.signal.aborted) return;
        const claimed = await claimExport(opts.deps, seen);
        if (!claimed) continue;
        const { id, tenant, attempt } = claimed.value;
        opts.logger.info({ exportId: id, tenant, attempt }, 'audit export started');
        try {
          const job = await runExport(opts.deps, claimed, { ...opts.run, signal: abort.signal });
          opts.logger.info({ exportId: id, tenant, state: job.state, records: job.recordsWritten, bytes: job.sizeBytes }, 'audit export ended');
        } catch (err) {
          if (err instanceof ExportLostError) opts.logger.warn({ exportId: id, tenant }, err.message);
          else opts.logger.error({ err, exportId: id, tenant, attempt }, 'audit export failed');
        }
        again = true;
      }
    } while (again && !abort.signal.aborted);
  }

  const runOnce = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = tick()
      .catch((err: unknown) => opts.logger.warn({ err }, 'looking for audit exports failed; retrying at the next tick'))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runOnce(), opts.intervalMs ?? 1_000);
  timer.unref();

  return {
    kick: () => void runOnce(),
    runOnce,
    async stop() {
      clearInterval(timer);
      abort.abort(new Error('the audit service is stopping'));
      await running;
    },
  };
}

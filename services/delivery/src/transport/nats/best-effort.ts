import type { Deduper, Logger } from '@assent/platform';
import type { AttemptLog } from '../../domain/ports.js';

/**
 * The attempt log as the worker writes it: a write that fails (NATS down) is logged
 * with the attempt and does not fail the task. The HTTP attempt already happened, so
 * failing the task would POST again (after a success) or retry sooner than the
 * schedule and burn the receiver's attempts (after a failure); the task's course
 * must not depend on its log line.
 */
export function attemptLogNeverFailing(inner: AttemptLog, log: Logger): AttemptLog {
  return {
    async record(attempt) {
      try {
        await inner.record(attempt);
      } catch (err) {
        log.error({ err, attempt: { ...attempt, at: attempt.at.toISOString() } }, 'could not record a delivery attempt; the task goes on');
      }
    },
    list: (tenant, endpointId, limit) => inner.list(tenant, endpointId, limit),
  };
}

/**
 * A deduper whose `mark` never fails: it runs after a successful POST, and a failure
 * there (Redis down) would make the consumer retry the task and POST it again. A lost
 * mark only matters if the ack is lost too; receivers dedupe on webhook-id.
 */
export function markNeverFailing(inner: Deduper, log: Logger): Deduper {
  return {
    seen: (id) => inner.seen(id),
    async mark(id) {
      try {
        await inner.mark(id);
      } catch (err) {
        log.warn({ err, taskId: id }, 'could not remember a finished task; a redelivery would POST it again');
      }
    },
  };
}

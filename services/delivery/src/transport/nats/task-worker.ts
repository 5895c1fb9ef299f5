import { PoisonMessageError, RetryLaterError, startConsumer, type Deduper, type Logger, type Metrics, type Names, type Nats, type RunningConsumer } from '@assent/platform';
import type { JsMsg } from '@nats-io/jetstream';
import { deliverTask } from '../../domain/commands/deliver-task.js';
import type { DeliveryDeps } from '../../domain/ports.js';
import type { DeliveryTask } from '../../domain/types.js';
import type { DeliveryNames } from '../../adapters/jetstream/delivery-names.js';
import { decodeTask, taskId } from '../../adapters/jetstream/task-queue.js';
import { attemptLogNeverFailing, markNeverFailing } from './best-effort.js';

export const WORKER_CONSUMER = 'delivery-worker';

/**
 * Tasks waiting out a retry stay pending in the consumer (nak with delay), so the
 * ceiling must cover every task in its backoff window, not just those in flight.
 */
const MAX_ACK_PENDING = 20_000;
/** The longest step of any sane retry schedule (the default tops out at 10 h). */
const MAX_RETRY_DELAY_MS = 24 * 3600_000;

/**
 * How long a finished task is remembered. The same task message comes back after a
 * success only when its ack was lost, one ack_wait later (at most 150 s: a 120 s
 * timeout + 30 s); a task enqueued again is refused by JetStream's duplicate window
 * (1 h, even after the task left the stream). Bound: the tasks finished in the last
 * 10 minutes, e.g. 300k keys at 500 webhooks/s.
 */
export const FINISHED_TTL_SECONDS = 600;

export interface TaskWorkerOptions {
  nats: Nats;
  names: Names;
  delivery: DeliveryNames;
  logger: Logger;
  metrics: Metrics;
  deps: DeliveryDeps;
  /** Remembers finished tasks so a redelivered one is not POSTed again (see FINISHED_TTL_SECONDS). */
  finished: Deduper;
  concurrency: number;
}

function decode(msg: JsMsg): DeliveryTask {
  try {
    return decodeTask(msg.data);
  } catch (err) {
    throw new PoisonMessageError(`malformed task: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The delivery worker: one HTTP attempt per JetStream delivery of a task.
 *
 * Retries are `nak(delay)` on this consumer (RetryLaterError with the domain's
 * delay: the schedule, or a longer Retry-After) rather than republishing: JetStream
 * keeps the task and its delivery count (= attempt number) durably and fires the
 * redelivery server-side even across restarts, so there is no window in which a task
 * is neither in the stream nor acknowledged. The domain decides when to give up
 * (PoisonMessageError parks the task): that is the webhook policy (maxAttempts HTTP
 * attempts), not an outage budget. Infrastructure failures never park and never
 * count: the consumer retries any other error without limit, Redis (the finished-task
 * deduper) and the attempt log cannot fail a task once its POST is made, so the
 * delivery count (the attempt number) rises with HTTP attempts, not with outages
 * (a shutdown handing back tasks not yet started still counts one).
 */
export function startTaskWorker(opts: TaskWorkerOptions): Promise<RunningConsumer> {
  const log = opts.logger.child({ consumer: WORKER_CONSUMER });
  const deps = { ...opts.deps, attempts: attemptLogNeverFailing(opts.deps.attempts, log) };
  return startConsumer({
    nats: opts.nats,
    names: opts.names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: opts.delivery.taskStream,
    durable: WORKER_CONSUMER,
    filterSubject: opts.delivery.allTasks(),
    maxAckPending: MAX_ACK_PENDING,
    maxRetryDelayMs: MAX_RETRY_DELAY_MS,
    // Longer than one attempt can take, so a slow receiver does not cause a duplicate.
    ackWaitMs: deps.retry.timeoutMs + 30_000,
    concurrency: opts.concurrency,
    dedupe: markNeverFailing(opts.finished, log),
    idOf: (msg) => {
      try {
        return taskId(decodeTask(msg.data));
      } catch {
        return `${msg.info.stream}:${msg.seq}`;
      }
    },
    handle: async (msg) => {
      const task = decode(msg);
      const attempt = msg.info.deliveryCount;
      const outcome = await deliverTask(deps, task, attempt);
      const ctx = { tenant: task.tenant, endpointId: task.endpointId, eventId: task.eventId, attempt };
      switch (outcome.kind) {
        case 'delivered':
          log.debug(ctx, 'webhook delivered');
          return;
        case 'dropped':
          log.info({ ...ctx, reason: outcome.reason }, 'delivery dropped');
          return;
        case 'retry':
          throw new RetryLaterError(`attempt ${attempt} failed: ${outcome.reason}`, outcome.delayMs);
        case 'give_up':
          throw new PoisonMessageError(outcome.reason);
      }
    },
  });
}

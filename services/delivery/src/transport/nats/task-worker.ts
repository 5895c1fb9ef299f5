import {
  defaultBackoff,
  injectTrace,
  withConsumeSpan,
  type Deduper,
  type Logger,
  type Metrics,
  type Names,
  type Nats,
  type RunningConsumer,
} from '@assent/platform';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import { deliverTask } from '../../domain/commands/deliver-task.js';
import type { DeliveryDeps } from '../../domain/ports.js';
import type { DeliveryTask } from '../../domain/types.js';
import type { DeliveryNames } from '../../adapters/jetstream/delivery-names.js';
import { decodeTask, taskId } from '../../adapters/jetstream/task-queue.js';

export const WORKER_CONSUMER = 'delivery-worker';

/**
 * Tasks waiting out a retry stay pending in the consumer (nak with delay), so the
 * ceiling must cover every task in its backoff window, not just those in flight.
 */
const MAX_ACK_PENDING = 20_000;

export interface TaskWorkerOptions {
  nats: Nats;
  names: Names;
  delivery: DeliveryNames;
  logger: Logger;
  metrics: Metrics;
  deps: DeliveryDeps;
  /** Remembers finished tasks so a redelivered one is not POSTed again. */
  finished: Deduper;
  concurrency: number;
}

/**
 * The delivery worker: one HTTP attempt per JetStream delivery of a task.
 *
 * Retries use `msg.nak(delay)` on this consumer rather than republishing: JetStream
 * then keeps the task and its delivery count (= attempt number) durably, fires the
 * redelivery server-side even across restarts, and there is no window in which a task
 * is neither in the stream nor acknowledged. NATS 2.9 has no delayed publish, so a
 * republished task would have to be held by a nak(delay) anyway. The platform
 * consumer loop is not used because its retry delay cannot depend on the response
 * (Retry-After) and its max_ack_pending is sized for in-flight work only.
 */
export async function startTaskWorker(opts: TaskWorkerOptions): Promise<RunningConsumer> {
  const { nats, deps, finished } = opts;
  const log = opts.logger.child({ consumer: WORKER_CONSUMER });
  const count = (outcome: string) => opts.metrics.messagesConsumed.inc({ consumer: WORKER_CONSUMER, outcome });
  const concurrency = Math.max(1, opts.concurrency);
  const config = {
    durable_name: WORKER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: opts.delivery.allTasks(),
    // The domain gives up after maxAttempts; infrastructure failures keep retrying
    // rather than dropping a delivery.
    max_deliver: -1,
    // Longer than one attempt can take, so a slow receiver does not cause a duplicate.
    ack_wait: nanos(deps.retry.timeoutMs + 30_000),
    max_ack_pending: MAX_ACK_PENDING,
  };
  try {
    await nats.jsm.consumers.add(opts.delivery.taskStream, config);
  } catch (err) {
    if (!/already in use|already exists|consumer name already/i.test((err as Error).message)) throw err;
    await nats.jsm.consumers.update(opts.delivery.taskStream, WORKER_CONSUMER, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  }
  const consumer = await nats.js.consumers.get(opts.delivery.taskStream, WORKER_CONSUMER);
  const messages = await consumer.consume({ max_messages: Math.max(concurrency * 2, 16) });

  /** Copies the task to <root>.dlq.delivery-worker with the reason, then ends its redelivery. */
  async function park(msg: JsMsg, reason: string): Promise<void> {
    const h = injectTrace(natsHeaders());
    h.set('Assent-Dlq-Reason', reason.slice(0, 1000));
    h.set('Assent-Dlq-Consumer', WORKER_CONSUMER);
    h.set('Assent-Dlq-Subject', msg.subject);
    h.set('Assent-Dlq-Stream-Seq', String(msg.seq));
    h.set('Assent-Dlq-Deliveries', String(msg.info.deliveryCount));
    await nats.js.publish(opts.names.dlq(WORKER_CONSUMER), msg.data, { headers: h, msgID: `${WORKER_CONSUMER}:${msg.info.stream}:${msg.seq}` });
    msg.term(reason.slice(0, 200));
  }

  async function handleOne(msg: JsMsg): Promise<void> {
    const attempt = msg.info.deliveryCount;
    await withConsumeSpan(`consume ${WORKER_CONSUMER}`, msg.headers, { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject, 'messaging.message.id': String(msg.seq) }, async () => {
      let task: DeliveryTask;
      try {
        task = decodeTask(msg.data);
      } catch (err) {
        await park(msg, `malformed task: ${(err as Error).message}`);
        count('parked');
        log.error({ subject: msg.subject, seq: msg.seq, err }, 'malformed delivery task parked');
        return;
      }
      const id = taskId(task);
      if (await finished.seen(id)) {
        msg.ack();
        count('duplicate');
        return;
      }
      const outcome = await deliverTask(deps, task, attempt);
      const ctx = { tenant: task.tenant, endpointId: task.endpointId, eventId: task.eventId, attempt };
      switch (outcome.kind) {
        case 'delivered':
          await finished.mark(id);
          msg.ack();
          count('ack');
          log.debug(ctx, 'webhook delivered');
          return;
        case 'dropped':
          msg.ack();
          count('dropped');
          log.info({ ...ctx, reason: outcome.reason }, 'delivery dropped');
          return;
        case 'retry':
          msg.nak(outcome.delayMs);
          count('retry');
          log.info({ ...ctx, reason: outcome.reason, retryInMs: outcome.delayMs }, 'webhook attempt failed; will retry');
          return;
        case 'give_up':
          await park(msg, outcome.reason);
          await finished.mark(id);
          count('parked');
          log.warn({ ...ctx, reason: outcome.reason }, 'webhook delivery given up and parked');
          return;
      }
    }).catch((err: unknown) => {
      // Our own dependencies failed (attempt log, Redis, NATS): try the task again later.
      const delay = defaultBackoff(attempt);
      log.error({ err, subject: msg.subject, seq: msg.seq, retryInMs: delay }, 'delivery worker failed; will retry');
      msg.nak(delay);
      count('retry');
    });
  }

  const inflight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const msg of messages) {
      const p = handleOne(msg).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
  })();

  return {
    async stop() {
      await messages.close();
      await loop.catch(() => undefined);
      await Promise.allSettled([...inflight]);
    },
  };
}

import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Nats } from './connect.js';
import { injectTrace, withConsumeSpan } from './tracing.js';
import type { Names } from './subjects.js';

/** Thrown by a handler for a message that can never succeed: parked at once, not retried. */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

/** Thrown by a handler that knows when to try again (a Retry-After, its own schedule); bounded by maxRetryDelayMs. */
export class RetryLaterError extends Error {
  constructor(message: string, readonly delayMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/** Remembers handled message ids so redeliveries are acknowledged without handling twice. */
export interface Deduper {
  seen(id: string): Promise<boolean>;
  mark(id: string): Promise<void>;
}

export interface ConsumerOptions {
  nats: Nats;
  names: Names;
  logger: Logger;
  metrics?: Metrics;
  stream: string;
  durable: string;
  filterSubject: string;
  /** Deliveries before a failing message is parked in the DLQ stream (Infinity: never; the handler decides). */
  maxDeliver?: number;
  /** Unacknowledged messages the server lets this consumer have, including ones waiting out a retry delay. */
  maxAckPending?: number;
  /** Upper bound for a RetryLaterError delay. */
  maxRetryDelayMs?: number;
  ackWaitMs?: number;
  /** Delay before the n-th redelivery (1-based); explicit schedule with jitter. */
  backoffMs?: (attempt: number) => number;
  /** Messages handled at once by this instance. */
  concurrency?: number;
  deliverPolicy?: DeliverPolicy;
  /** Message id for idempotency; defaults to the Nats-Msg-Id header or stream sequence. */
  idOf?: (msg: JsMsg) => string;
  dedupe?: Deduper;
  handle: (msg: JsMsg) => Promise<void>;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export const defaultBackoff = (attempt: number): number => {
  const schedule = [250, 1_000, 5_000, 15_000, 60_000];
  const base = schedule[Math.min(attempt - 1, schedule.length - 1)] ?? 60_000;
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

/**
 * A durable, explicit-ack consumer loop. A handler that returns acks the message;
 * one that throws is retried with backoff; after maxDeliver attempts (or at once
 * for PoisonMessageError) the message is copied to <root>.dlq.<durable> with the
 * reason in headers and then terminated — parked, never silently dropped.
 */
export async function startConsumer(opts: ConsumerOptions): Promise<RunningConsumer> {
  const maxDeliver = opts.maxDeliver ?? 5;
  const backoff = opts.backoffMs ?? defaultBackoff;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const { nats, logger } = opts;
  const log = logger.child({ consumer: opts.durable });

  const config = {
    durable_name: opts.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: opts.deliverPolicy ?? DeliverPolicy.All,
    filter_subject: opts.filterSubject,
    // One more than ours so the server never gives up before we park the message.
    max_deliver: Number.isFinite(maxDeliver) ? maxDeliver + 1 : -1,
    ack_wait: nanos(opts.ackWaitMs ?? 30_000),
    max_ack_pending: opts.maxAckPending ?? Math.max(concurrency * 4, 64),
  };
  try {
    await nats.jsm.consumers.add(opts.stream, config);
  } catch (err) {
    if (!/already in use|already exists|consumer name already/i.test((err as Error).message)) throw err;
    await nats.jsm.consumers.update(opts.stream, opts.durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  }
  const consumer = await nats.js.consumers.get(opts.stream, opts.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.max(concurrency * 2, 16) });

  const idOf = opts.idOf ?? ((m: JsMsg) => m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`);
  const count = (outcome: string) => opts.metrics?.messagesConsumed.inc({ consumer: opts.durable, outcome });

  async function park(msg: JsMsg, reason: string): Promise<void> {
    const h = injectTrace(natsHeaders());
    msg.headers?.keys().forEach((k) => {
      if (k !== 'Nats-Msg-Id') h.set(k, msg.headers?.get(k) ?? '');
    });
    h.set('Assent-Dlq-Reason', reason.slice(0, 1000));
    h.set('Assent-Dlq-Consumer', opts.durable);
    h.set('Assent-Dlq-Subject', msg.subject);
    h.set('Assent-Dlq-Stream-Seq', String(msg.seq));
    h.set('Assent-Dlq-Deliveries', String(msg.info.deliveryCount));
    await nats.js.publish(opts.names.dlq(opts.durable), msg.data, { headers: h, msgID: `${opts.durable}:${msg.info.stream}:${msg.seq}` });
    // A bare +TERM: servers before 2.10.4 ignore a term that carries a reason (the
    // reason is in the DLQ headers and the log instead).
    msg.term();
    count('parked');
    log.error({ subject: msg.subject, seq: msg.seq, reason }, 'message parked in DLQ');
  }

  async function handleOne(msg: JsMsg): Promise<void> {
    const id = idOf(msg);
    await withConsumeSpan(`consume ${opts.durable}`, msg.headers, { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject, 'messaging.message.id': id }, async () => {
      try {
        if (opts.dedupe && (await opts.dedupe.seen(id))) {
          msg.ack();
          count('duplicate');
          return;
        }
        await opts.handle(msg);
        if (opts.dedupe) await opts.dedupe.mark(id);
        msg.ack();
        count('ack');
      } catch (err) {
        const reason = (err as Error).message || String(err);
        if (err instanceof PoisonMessageError || msg.info.deliveryCount >= maxDeliver) {
          try {
            await park(msg, reason);
          } catch (parkErr) {
            // Could not park: leave it for redelivery rather than lose it.
            log.error({ err: parkErr }, 'failed to park message; will be redelivered');
            msg.nak(backoff(msg.info.deliveryCount));
          }
          return;
        }
        const delay = err instanceof RetryLaterError ? Math.min(err.delayMs, opts.maxRetryDelayMs ?? 5 * 60_000) : backoff(msg.info.deliveryCount);
        log.warn({ err, subject: msg.subject, seq: msg.seq, attempt: msg.info.deliveryCount, retryInMs: delay }, 'handler failed; will retry');
        msg.nak(delay);
        count('retry');
      }
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

import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Nats } from './connect.js';
import { KeyedLanes, type Lane } from './keyed-lanes.js';
import { startLease } from './lease.js';
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

interface CommonOptions {
  nats: Nats;
  names: Names;
  logger: Logger;
  metrics?: Metrics | undefined;
  stream: string;
  durable: string;
  filterSubject: string;
  /** Unacknowledged messages the server lets this consumer have (bounds what one instance holds). */
  maxAckPending?: number;
  /** Upper bound for a RetryLaterError delay. */
  maxRetryDelayMs?: number;
  ackWaitMs?: number;
  /** Delay before the n-th retry (1-based); explicit schedule with jitter, capped. */
  backoffMs?: (attempt: number) => number;
  /** Lanes (keys) handled at once by this instance. */
  concurrency?: number;
  deliverPolicy?: DeliverPolicy;
  /** Message id for idempotency; defaults to the Nats-Msg-Id header or stream sequence. */
  idOf?: (msg: JsMsg) => string;
  /** Only for handlers that are not idempotent by themselves. */
  dedupe?: Deduper | undefined;
  /**
   * Order key. Messages with one key are handled one batch at a time, in stream order,
   * and a failing one is retried in place (the key waits behind it) until it succeeds;
   * keys run in parallel. Without a key every message is independent and a failing one
   * goes back to the server with a delay (nak), so it holds no slot while it waits.
   */
  keyOf?: (msg: JsMsg) => string;
  /**
   * Only one replica runs this consumer at a time (a lease in JetStream KV); the others
   * stand by and take over within the lease TTL. With `keyOf`, this is what keeps a
   * key's order across replicas: a new holder restarts delivery from the ack floor, so
   * messages the previous holder left unacknowledged come again, in order, before newer ones.
   */
  exclusive?: boolean;
  /** Lease TTL for `exclusive` consumers (failover time after a crash). */
  leaseTtlMs?: number;
}

export type ConsumerOptions = CommonOptions &
  (
    | { handle: (msg: JsMsg) => Promise<void>; handleBatch?: never; maxBatch?: never }
    | {
        /** Handles up to maxBatch queued messages of one key in one call (all acked after it returns). */
        handleBatch: (msgs: JsMsg[]) => Promise<void>;
        maxBatch?: number;
        handle?: never;
      }
  );

export interface RunningConsumer {
  /** Whether this instance is consuming (false for a standby of an exclusive consumer). */
  active(): boolean;
  stop(): Promise<void>;
}

const RETRY_CAP_MS = 30_000;
const STOP_GRACE_MS = 1_500;

/** 250 ms, 1 s, 5 s, 15 s, then every 30 s, each ±20 %: an outage is waited out, never given up on. */
export const defaultBackoff = (attempt: number): number => {
  const schedule = [250, 1_000, 5_000, 15_000, RETRY_CAP_MS];
  const base = schedule[Math.min(attempt - 1, schedule.length - 1)] ?? RETRY_CAP_MS;
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

/**
 * A durable, explicit-ack consumer. A handler that returns acks its messages. A
 * handler that throws PoisonMessageError parks the message in <root>.dlq.<durable>
 * (reason in Assent-Dlq-* headers) and terminates it. Any other error is transient:
 * the message is retried with capped backoff for as long as it takes — an outage is
 * lag (the `assent_consumer_retrying` and `assent_consumer_pending` gauges), never a
 * parked or dropped message.
 */
export async function startConsumer(opts: ConsumerOptions): Promise<RunningConsumer> {
  if (!opts.exclusive) {
    const running = await runConsumer(opts, false);
    return { active: () => true, stop: () => running.stop() };
  }
  const lease = await startLease({
    nats: opts.nats,
    names: opts.names,
    logger: opts.logger,
    name: `consumer.${opts.stream}.${opts.durable}`,
    holder: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    ...(opts.leaseTtlMs ? { ttlMs: opts.leaseTtlMs } : {}),
    onAcquired: async () => {
      const running = await runConsumer(opts, true);
      return () => running.stop();
    },
  });
  return { active: () => lease.held(), stop: () => lease.stop() };
}

const isNotFound = (err: unknown) => err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound;

async function ensureConsumer(opts: ConsumerOptions, config: Partial<ConsumerConfig> & { durable_name: string }, resetToFloor: boolean, log: Logger): Promise<void> {
  const { jsm } = opts.nats;
  const existing = await jsm.consumers.info(opts.stream, opts.durable).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!existing) {
    await jsm.consumers.add(opts.stream, config).catch(async (err: unknown) => {
      // Another instance created it first (only possible for non-exclusive consumers).
      if (!(err instanceof JetStreamApiError) || err.status !== 400) throw err;
      await jsm.consumers.update(opts.stream, opts.durable, pickUpdatable(config));
    });
    return;
  }
  const floor = existing.ack_floor.stream_seq;
  if (resetToFloor && existing.num_ack_pending > 0 && (floor > 0 || existing.config.deliver_policy === DeliverPolicy.All)) {
    // The previous holder left messages unacknowledged; left alone the server would
    // redeliver them only after ack_wait, behind newer messages of the same keys.
    log.info({ ackFloor: floor, ackPending: existing.num_ack_pending }, 'taking over: restarting delivery from the ack floor');
    await jsm.consumers.delete(opts.stream, opts.durable);
    await jsm.consumers.add(opts.stream, { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 });
    return;
  }
  await jsm.consumers.update(opts.stream, opts.durable, pickUpdatable(config));
}

const pickUpdatable = (c: Partial<ConsumerConfig>): Partial<ConsumerConfig> => ({ ack_wait: c.ack_wait, max_deliver: c.max_deliver, max_ack_pending: c.max_ack_pending });

interface Held {
  msg: JsMsg;
  since: number;
}

async function runConsumer(opts: ConsumerOptions, resetToFloor: boolean): Promise<{ stop(): Promise<void> }> {
  const backoff = opts.backoffMs ?? defaultBackoff;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  const maxAckPending = opts.maxAckPending ?? Math.max(concurrency * 8, 256);
  const maxRetryDelay = opts.maxRetryDelayMs ?? 5 * 60_000;
  const ordered = opts.keyOf !== undefined;
  const { nats, logger, metrics } = opts;
  const log = logger.child({ consumer: opts.durable });
  const handleBatch = opts.handleBatch ?? (async (msgs: JsMsg[]) => {
    for (const m of msgs) await (opts.handle as (msg: JsMsg) => Promise<void>)(m);
  });
  const maxBatch = opts.handleBatch ? Math.max(1, opts.maxBatch ?? 256) : 1;

  await ensureConsumer(
    opts,
    {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: opts.deliverPolicy ?? DeliverPolicy.All,
      filter_subject: opts.filterSubject,
      // Transient failures are retried without limit; poison is terminated explicitly.
      max_deliver: -1,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: maxAckPending,
    },
    resetToFloor,
    log,
  );
  const consumer = await nats.js.consumers.get(opts.stream, opts.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.min(maxAckPending, Math.max(concurrency * 4, 64)) });

  const idOf = opts.idOf ?? ((m: JsMsg) => m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`);
  const count = (outcome: string, n = 1) => metrics?.messagesConsumed.inc({ consumer: opts.durable, outcome }, n);
  const held = new Set<Held>();
  let retrying = 0;
  let stopping = false;
  const stopSignal = new AbortController();
  // Every lane waiting out a retry listens for stop: many at once is expected.
  setMaxListeners(0, stopSignal.signal);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopSignal.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopSignal.signal.removeEventListener('abort', done);
        resolve();
      }
      stopSignal.signal.addEventListener('abort', done);
    });

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

  /** Parks a poison message; if even that fails (NATS down) it is retried like any transient failure. */
  async function parkOrRetry(msg: JsMsg, reason: string): Promise<boolean> {
    try {
      await park(msg, reason);
      return true;
    } catch (err) {
      log.warn({ err, seq: msg.seq }, 'could not park a poison message yet; retrying');
      return false;
    }
  }

  /** One attempt at a batch: 'done' (acked or parked), or the transient error. */
  async function attempt(msgs: JsMsg[]): Promise<'done' | Error> {
    const name = `consume ${opts.durable}`;
    const first = msgs[0] as JsMsg;
    return withConsumeSpan(name, first.headers, { 'messaging.system': 'nats', 'messaging.destination.name': first.subject, 'messaging.batch.message_count': msgs.length }, async () => {
      try {
        await handleBatch(msgs);
      } catch (err) {
        if (!(err instanceof PoisonMessageError)) return err instanceof Error ? err : new Error(String(err));
        if (msgs.length > 1) {
          // Find the poison one: the rest of the batch still deserves handling, in order.
          for (const m of msgs) {
            const single = await attempt([m]);
            if (single !== 'done') return single;
          }
          return 'done';
        }
        return (await parkOrRetry(first, err.message)) ? 'done' : err;
      }
      if (opts.dedupe) {
        // Handled either way: acking prevents the redelivery the mark would have caught.
        await Promise.all(msgs.map((m) => opts.dedupe?.mark(idOf(m)))).catch((err: unknown) => log.warn({ err }, 'could not record handled messages for dedupe'));
      }
      for (const m of msgs) m.ack();
      count('ack', msgs.length);
      return 'done';
    });
  }

  async function run(_key: string, items: Held[], lane: Lane): Promise<void> {
    let msgs = items.map((h) => h.msg);
    const dedupe = opts.dedupe;
    try {
      for (let n = 1; msgs.length > 0; n++) {
        if (dedupe) {
          // The dedupe store being down says nothing about the message: wait for it in
          // place (no nak), so the delivery count still counts real attempts.
          let seen: boolean[] | undefined;
          for (let wait = 1; !seen; wait++) {
            try {
              seen = await Promise.all(msgs.map((m) => dedupe.seen(idOf(m))));
            } catch (err) {
              if (stopping) return;
              log.warn({ err, retryInMs: backoff(wait) }, 'dedupe lookup failed; waiting');
              await sleep(backoff(wait));
            }
          }
          const known = seen;
          msgs = msgs.filter((m, i) => {
            if (!known[i]) return true;
            m.ack();
            count('duplicate');
            return false;
          });
          if (msgs.length === 0) return;
        }
        const result = await attempt(msgs);
        if (result === 'done') return;
        const delay = result instanceof RetryLaterError ? Math.min(result.delayMs, maxRetryDelay) : ordered ? backoff(n) : backoff(msgs[0]?.info.deliveryCount ?? n);
        count('retry', msgs.length);
        const retry = { err: result, subject: msgs[0]?.subject, seq: msgs[0]?.seq, messages: msgs.length, attempt: ordered ? n : msgs[0]?.info.deliveryCount, retryInMs: delay };
        // A wait the handler asked for (pacing, Retry-After) is flow control, not a failure:
        // warning on each one wrote 140,000 lines in a minute of Slack backlog.
        if (result instanceof RetryLaterError) log.debug(retry, 'handler asked to retry later');
        else log.warn(retry, 'handler failed; will retry');
        if (!ordered || stopping) {
          // Unordered: hand it back to the server, which redelivers after the delay.
          for (const m of msgs) m.nak(stopping ? 0 : delay);
          return;
        }
        // Ordered: the key waits behind this message (kept alive by working()). A wait the
        // handler named (Retry-After, a rate limit) holds no slot: other keys run meanwhile.
        retrying += msgs.length;
        metrics?.consumerRetrying.set({ consumer: opts.durable }, retrying);
        try {
          await (result instanceof RetryLaterError ? lane.rest(sleep(delay)) : sleep(delay));
        } finally {
          retrying -= msgs.length;
          metrics?.consumerRetrying.set({ consumer: opts.durable }, retrying);
        }
      }
    } finally {
      items.forEach((h) => held.delete(h));
    }
  }

  const lanes = new KeyedLanes<Held>({ concurrency, maxBatch, run });
  let unkeyed = 0;
  const keyOf = opts.keyOf ?? (() => String(unkeyed++));

  // Messages held in this process longer than a third of ack_wait (queued behind their
  // key, or in an ordered retry) are kept from redelivery.
  const heartbeat = setInterval(
    () => {
      const old = Date.now() - ackWaitMs / 3;
      for (const h of held) if (h.since < old) h.msg.working();
    },
    Math.max(1_000, Math.floor(ackWaitMs / 3)),
  );
  const lag = setInterval(() => {
    nats.jsm.consumers
      .info(opts.stream, opts.durable)
      .then((i) => metrics?.consumerPending.set({ consumer: opts.durable }, i.num_pending + i.num_ack_pending))
      .catch(() => undefined);
  }, 5_000);
  lag.unref();

  const loop = (async () => {
    for await (const msg of messages) {
      const h = { msg, since: Date.now() };
      held.add(h);
      let key: string;
      try {
        key = keyOf(msg);
      } catch {
        // No usable key (the handler will likely park it): its subject still orders it.
        key = msg.subject;
      }
      lanes.push(key, h);
      await lanes.room(maxAckPending);
    }
  })();

  return {
    async stop() {
      stopping = true;
      await messages.close();
      await loop.catch(() => undefined);
      // Not started yet: give them back at once so the next holder gets them.
      for (const h of lanes.drainQueued()) {
        h.msg.nak();
        held.delete(h);
      }
      stopSignal.abort();
      // In-flight handlers get a moment to finish; one stuck on a dead dependency is
      // abandoned (its message is redelivered) so a replica stops within seconds.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([lanes.idle(), new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      clearInterval(heartbeat);
      clearInterval(lag);
    },
  };
}

import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { AlreadyExistsError, ConflictError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Nats } from './connect.js';
import { startConsumer, type RunningConsumer } from './consumer.js';
import { EventPublisher, type AssentEvent } from './events.js';
import { ensureStream } from './streams.js';
import type { Names } from './subjects.js';

export interface Versioned<T> {
  value: T;
  /** Stream sequence of the entity's latest message: the compare-and-set token. */
  revision: number;
}

interface StoredEntity<T> {
  value: T;
  /** Events produced by the transition that wrote this value (the outbox). */
  events: AssentEvent[];
}

const WRONG_SEQ = /wrong last sequence|10071/i;

/**
 * Entities stored as messages on <root>.state.<entity>.<tenant>.<id>, one message
 * per transition. A write is a compare-and-set on the subject's last sequence
 * (Nats-Expected-Last-Subject-Sequence), so of N replicas racing exactly one wins.
 * The transition's events ride in the same message (an outbox), and the relay
 * below publishes them to the event stream: an event is never lost and never
 * emitted for a write that did not happen.
 */
export class StreamEntityStore<T> {
  readonly stream: string;

  constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    readonly entity: string,
  ) {
    this.stream = n.stateStream(entity);
  }

  async ensure(): Promise<void> {
    await ensureStream(this.nats.jsm, {
      name: this.stream,
      subjects: [`${this.n.root}.state.${this.entity}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
    });
  }

  private subject(tenant: string, id: string): string {
    return this.n.state(this.entity, tenant, id);
  }

  async get(tenant: string, id: string): Promise<Versioned<T> | undefined> {
    const msg = await this.nats.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(tenant, id) }).catch((err: Error) => {
      if (/no message found|not found/i.test(err.message)) return null;
      throw err;
    });
    if (!msg) return undefined;
    const stored = msg.json<StoredEntity<T>>();
    return { value: stored.value, revision: msg.seq };
  }

  /**
   * Every revision of one entity written after `afterRevision`, in order and each
   * once, until `signal` aborts. Pushed by an ordered consumer filtered to the
   * entity's subject and starting at afterRevision + 1, so nothing written since the
   * caller's read is missed and no one polls. Not a core subscription: core
   * subscribers also receive writes that lost their compare-and-set.
   */
  async *watch(tenant: string, id: string, afterRevision: number, signal: AbortSignal): AsyncGenerator<Versioned<T>> {
    if (signal.aborted) return;
    const consumer = await this.nats.js.consumers.getPushConsumer(this.stream, {
      filter_subjects: this.subject(tenant, id),
      opt_start_seq: afterRevision + 1,
    });
    const messages = await consumer.consume();
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    try {
      for await (const msg of messages) yield { value: msg.json<StoredEntity<T>>().value, revision: msg.seq };
    } finally {
      signal.removeEventListener('abort', stop);
      await messages.close();
      // Ephemeral consumers otherwise linger for their inactivity threshold (minutes).
      void consumer.delete().catch(() => false);
    }
  }

  /** Writes a new entity; AlreadyExistsError if the id is taken. */
  async create(tenant: string, id: string, value: T, events: AssentEvent[]): Promise<number> {
    try {
      return await this.write(tenant, id, value, events, 0);
    } catch (err) {
      if (err instanceof ConflictError) throw new AlreadyExistsError(`${this.entity} "${id}" already exists`);
      throw err;
    }
  }

  /** Writes a new revision; ConflictError if someone else wrote since expectedRevision. */
  update(tenant: string, id: string, value: T, expectedRevision: number, events: AssentEvent[]): Promise<number> {
    return this.write(tenant, id, value, events, expectedRevision);
  }

  private async write(tenant: string, id: string, value: T, events: AssentEvent[], expected: number): Promise<number> {
    const body: StoredEntity<T> = { value, events };
    try {
      const ack = await this.nats.js.publish(this.subject(tenant, id), JSON.stringify(body), {
        expect: { lastSubjectSequence: expected },
      });
      return ack.seq;
    } catch (err) {
      if (WRONG_SEQ.test((err as Error).message)) {
        throw new ConflictError(`${this.entity} "${id}" changed concurrently (expected revision ${expected})`);
      }
      throw err;
    }
  }

  /** Ids of a tenant's entities in ascending order (ULIDs sort by creation time). */
  async ids(tenant: string): Promise<string[]> {
    const prefix = `${this.n.root}.state.${this.entity}.${tenant}.`;
    const info = await this.nats.jsm.streams.info(this.stream, { subjects_filter: `${prefix}*` });
    return Object.keys(info.state.subjects ?? {})
      .map((s) => s.slice(prefix.length))
      .sort();
  }
}

/**
 * Publishes the outbox events of every state message at least once (deduplicated by
 * event id), in order per entity: one lane per entity subject, many entities in
 * parallel, so publishes overlap and each state message is acked once its events are
 * stored. Exclusive: one replica relays at a time, so an entity's events never overtake each other.
 */
export function startOutboxRelay(opts: {
  nats: Nats;
  names: Names;
  logger: Logger;
  metrics?: Metrics;
  store: StreamEntityStore<unknown>;
}): Promise<RunningConsumer> {
  const publisher = new EventPublisher(opts.nats.js, opts.names, opts.metrics);
  return startConsumer({
    nats: opts.nats,
    names: opts.names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: opts.store.stream,
    durable: `${opts.store.entity}-outbox`,
    filterSubject: `${opts.names.root}.state.${opts.store.entity}.>`,
    keyOf: (msg) => msg.subject,
    exclusive: true,
    concurrency: 128,
    handle: async (msg) => {
      const stored = msg.json<StoredEntity<unknown>>();
      for (const event of stored.events) await publisher.publish(event);
    },
  });
}

import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { RevisionFeed, type FeedMessage } from './revision-feed.js';
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
const decoder = new TextDecoder();

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
  private readonly feed: RevisionFeed;

  constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    readonly entity: string,
    logger: Logger = createLogger(`${entity}-store`, 'warn'),
  ) {
    this.stream = n.stateStream(entity);
    this.feed = new RevisionFeed(nats, this.stream, `${n.root}.state.${entity}.>`, logger);
  }

  /** Ends open watches' feed (call on shutdown). */
  stop(): Promise<void> {
    return this.feed.stop();
  }

  async ensure(): Promise<void> {
    await ensureStream(this.nats.jsm, {
      name: this.stream,
      subjects: [`${this.n.root}.state.${this.entity}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      // Reads by subject (latest, next after a sequence) without the JetStream API.
      allow_direct: true,
    });
  }

  private subject(tenant: string, id: string): string {
    return this.n.state(this.entity, tenant, id);
  }

  async get(tenant: string, id: string): Promise<Versioned<T> | undefined> {
    const msg = await this.nats.jsm.direct.getMessage(this.stream, { last_by_subj: this.subject(tenant, id) });
    if (!msg) return undefined;
    return { value: msg.json<StoredEntity<T>>().value, revision: msg.seq };
  }

  /**
   * Every revision of one entity written after `afterRevision`, in order and each
   * once, until `signal` aborts. No consumer per watch: the watch listens on the
   * store's RevisionFeed (one ordered consumer per process) and then reads what was
   * stored before it listened by direct get (next message on the subject after the
   * last revision seen); the feed's copies of those are skipped by sequence. Only
   * stored messages are seen: core subscribers would also receive writes that lost
   * their compare-and-set.
   */
  async *watch(tenant: string, id: string, afterRevision: number, signal: AbortSignal): AsyncGenerator<Versioned<T>> {
    if (signal.aborted) return;
    const subject = this.subject(tenant, id);
    const queue: FeedMessage[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const unlisten = await this.feed.listen(subject, (m) => {
      queue.push(m);
      notify();
    });
    signal.addEventListener('abort', notify, { once: true });
    const decode = (data: Uint8Array, seq: number): Versioned<T> => ({ value: (JSON.parse(decoder.decode(data)) as StoredEntity<T>).value, revision: seq });
    try {
      let last = afterRevision;
      while (!signal.aborted) {
        const msg = await this.nats.jsm.direct.getMessage(this.stream, { seq: last + 1, next_by_subj: subject });
        if (!msg || signal.aborted) break;
        last = msg.seq;
        yield decode(msg.data, msg.seq);
      }
      while (!signal.aborted) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (next.seq <= last) continue;
        last = next.seq;
        yield decode(next.data, next.seq);
      }
    } finally {
      unlisten();
      signal.removeEventListener('abort', notify);
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
  /**
   * Runs after a state message's events are published, in the entity's order and
   * retried like the publish: for indexes that must follow the stored state (the
   * entity's pending timer).
   */
  afterRelay?: (tenant: string, id: string, value: unknown) => Promise<void>;
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
      if (opts.afterRelay) {
        const [tenant, id] = msg.subject.split('.').slice(-2) as [string, string];
        await opts.afterRelay(tenant, id, stored.value);
      }
    },
  });
}

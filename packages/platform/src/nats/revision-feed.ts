import { DeliverPolicy } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Nats } from './connect.js';

const RETRY_MS = [100, 500, 1_000, 2_000, 5_000];

export interface FeedMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
}

/**
 * Every message stored on a stream under `filter` from the moment the feed starts,
 * read by one ordered consumer per process and handed to the local listeners of its
 * subject. It replaces a consumer per watcher: creating and deleting an ephemeral
 * consumer for each WatchRequest cost nats-server about 3.5 ms of CPU per watch,
 * the largest item of a lifecycle (docs/benchmarks.md).
 *
 * Order and completeness: the consumer starts after the stream's last sequence at
 * first use and, when it has to be recreated (a NATS restart, a lost consumer),
 * resumes after the last sequence it delivered, so every message stored after the
 * feed started reaches the listeners registered at that time, once and in stream
 * order. What was stored before a listener registered is the caller's to read
 * (StreamEntityStore.watch reads it by direct get).
 */
export class RevisionFeed {
  private readonly listeners = new Map<string, Set<(m: FeedMessage) => void>>();
  private running: Promise<void> | undefined;
  private loop: Promise<void> = Promise.resolve();
  private position = 0;
  private stopped = false;
  private closeMessages: () => void = () => undefined;
  private consumer: { delete(): Promise<boolean> } | undefined;
  private reconnected = false;
  private statusEvents: { stop(): void } | undefined;

  constructor(
    private readonly nats: Nats,
    private readonly stream: string,
    private readonly filter: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Calls `listener` with each message stored on `subject` from now on (once the
   * returned promise resolves). Returns the function that removes it.
   */
  async listen(subject: string, listener: (m: FeedMessage) => void): Promise<() => void> {
    if (this.stopped) throw new Error('revision feed stopped');
    await this.start();
    let set = this.listeners.get(subject);
    if (!set) this.listeners.set(subject, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(subject) === set) this.listeners.delete(subject);
    };
  }

  /** Starts the consumer on first use; resolves once it exists. */
  private start(): Promise<void> {
    this.running ??= new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve, reject);
    }).catch((err: unknown) => {
      this.running = undefined;
      throw err;
    });
    return this.running;
  }

  /**
   * After a reconnect the client library re-checks its consumer, and when JetStream
   * is not ready yet it backs off for up to the pull expiry (30 s), during which
   * nothing is delivered. The feed instead closes its consumer on every reconnect and
   * recreates it from its position, retrying quickly.
   */
  private async restartOnReconnect(): Promise<void> {
    // The client's status iterator has stop() (not in its declared type): ending it at stop() unregisters it.
    const events = this.nats.nc.status() as AsyncIterable<{ type: string }> & { stop?: () => void };
    this.statusEvents = { stop: () => events.stop?.() };
    for await (const s of events) {
      if (this.stopped) return;
      if (s.type !== 'reconnect') continue;
      this.reconnected = true;
      this.closeMessages();
    }
  }

  private async run(ready: () => void, failed: (err: unknown) => void): Promise<void> {
    let started = false;
    void this.restartOnReconnect();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        if (!started) this.position = (await this.nats.jsm.streams.info(this.stream)).state.last_seq;
        const consumer = await this.nats.js.consumers.get(this.stream, {
          filter_subjects: this.filter,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.position + 1,
        });
        this.consumer = consumer;
        const messages = await consumer.consume();
        this.closeMessages = () => void messages.close();
        if (this.stopped) this.closeMessages();
        if (!started) {
          started = true;
          ready();
        }
        for await (const m of messages) {
          attempt = 0;
          this.position = m.seq;
          const set = this.listeners.get(m.subject);
          if (!set) continue;
          const msg = { subject: m.subject, seq: m.seq, data: m.data };
          for (const l of set) l(msg);
        }
        if (this.reconnected) {
          this.reconnected = false;
          attempt = 0;
        }
      } catch (err) {
        if (this.stopped) return;
        // A first start that fails is the caller's error (e.g. NATS down): it retries.
        if (!started) return failed(err);
        this.logger.warn({ err, stream: this.stream }, 'revision feed consumer failed');
      }
      if (this.stopped) return;
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] as number;
      this.logger.warn({ stream: this.stream, resumeAfter: this.position, retryInMs: wait }, 'revision feed restarting');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.statusEvents?.stop();
    this.closeMessages();
    await this.loop;
    // An ordered consumer otherwise lingers on the server until its inactivity threshold.
    await this.consumer?.delete().catch(() => false);
  }
}

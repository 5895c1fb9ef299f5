import { UnavailableError } from '@assent/platform';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { AttemptLog } from '../../domain/ports.js';
import type { Attempt } from '../../domain/types.js';
import type { DeliveryNames } from './delivery-names.js';

type AttemptJson = Omit<Attempt, 'at'> & { at: string };

/**
 * Attempts as messages on <root>.delivery.attempt.<tenant>.<endpointId>. JetStream
 * (2.9) cannot read a subject backwards, so list scans the matching messages with an
 * ordered consumer and keeps the newest `limit`; max_msgs_per_subject bounds the scan.
 */
export class JetStreamAttemptLog implements AttemptLog {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly n: DeliveryNames,
  ) {}

  async record(attempt: Attempt): Promise<void> {
    const body: AttemptJson = { ...attempt, at: attempt.at.toISOString() };
    try {
      await this.js.publish(this.n.attempt(attempt.tenant, attempt.endpointId), JSON.stringify(body), {
        msgID: `${attempt.eventId}:${attempt.endpointId}:${attempt.attempt}`,
      });
    } catch (err) {
      throw new UnavailableError('delivery attempt stream unavailable', { cause: err });
    }
  }

  async list(tenant: string, endpointId: string | undefined, limit: number): Promise<Attempt[]> {
    const subject = this.n.attempt(tenant, endpointId ?? '*');
    const info = await this.jsm.streams.info(this.n.attemptStream, { subjects_filter: subject });
    const total = Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    if (total === 0 || limit <= 0) return [];
    const consumer = await this.js.consumers.get(this.n.attemptStream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const newest: Attempt[] = [];
    const messages = await consumer.consume();
    // Messages could age out between the count and the scan; never wait forever for them.
    const deadline = setTimeout(() => void messages.close(), 10_000);
    try {
      for await (const m of messages) {
        const a = m.json<AttemptJson>();
        newest.push({ ...a, at: new Date(a.at) });
        if (newest.length > limit) newest.shift();
        if (m.info.pending === 0) break;
      }
    } finally {
      clearTimeout(deadline);
      await messages.close();
    }
    return newest.reverse();
  }
}

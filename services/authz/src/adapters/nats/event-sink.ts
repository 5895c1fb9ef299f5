import { UnavailableError, type AssentEvent, type EventPublisher } from '@assent/platform';
import type { EventSink } from '../../domain/ports.js';

/** Publishes straight to the event stream (authz decisions have no state of their own to outbox). */
export class NatsEventSink implements EventSink {
  constructor(private readonly publisher: EventPublisher) {}

  async emit(event: AssentEvent): Promise<void> {
    try {
      await this.publisher.publish(event);
    } catch (err) {
      // Decisions must be audited: without the event the decision is not returned.
      throw new UnavailableError('event stream unavailable; decision not recorded', { cause: err });
    }
  }
}

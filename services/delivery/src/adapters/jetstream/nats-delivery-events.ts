import { newEvent, type EventPublisher } from '@assent/platform';
import type { DeliveryEvents } from '../../domain/ports.js';

/** Delivery's events as CloudEvents on the events stream (source /assent/delivery, Nats-Msg-Id = event id). */
export function natsDeliveryEvents(publisher: EventPublisher): DeliveryEvents {
  return {
    async publish(e) {
      await publisher.publish(newEvent({ ...e, service: 'delivery' }));
    },
  };
}

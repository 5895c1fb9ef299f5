import { eventConsumerNames, PoisonMessageError, type Logger, type Metrics, type Names, type Nats, type RunningConsumer, startConsumer } from '@assent/platform';
import { DeliverPolicy } from '@nats-io/jetstream';
import { anyEndpointWants, fanOutEvent } from '../../domain/commands/fan-out-event.js';
import { subjectTenant, tenantEventOf } from './tenant-event.js';
import type { DeliveryDeps } from '../../domain/ports.js';

export const FANOUT_CONSUMER = eventConsumerNames.deliveryFanout;

/** Events fanned out at once: each is a lookup in memory and one round of task publishes. */
const CONCURRENCY = 64;

/**
 * Every domain event → one delivery task per interested endpoint. No Redis deduper:
 * the task queue stores a task once per (event, endpoint) (Nats-Msg-Id within the
 * task stream's duplicate window), so handling an event again enqueues nothing new,
 * and webhooks need no order, so events are handled independently.
 */
export function startFanoutConsumer(opts: { nats: Nats; names: Names; logger: Logger; metrics: Metrics; deps: DeliveryDeps }): Promise<RunningConsumer> {
  const { names } = opts;
  return startConsumer({
    nats: opts.nats,
    names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: names.eventsStream,
    durable: FANOUT_CONSUMER,
    filterSubject: names.allEvents(),
    // Endpoints receive events from the moment they exist; a first boot must not
    // replay the whole event history to endpoints created today.
    deliverPolicy: DeliverPolicy.New,
    concurrency: CONCURRENCY,
    handle: async (msg) => {
      // Publishers set ce-type (EventPublisher); an event no endpoint wants is acknowledged
      // unread (profiled: parsing and decoding every event was most of this consumer's CPU).
      const announced = msg.headers?.get('ce-type');
      if (announced && !(await anyEndpointWants(opts.deps, subjectTenant(msg, names), announced))) return;
      const event = tenantEventOf(msg, names);
      if (announced && event.type !== announced) throw new PoisonMessageError(`ce-type header "${announced}" does not match the event's type "${event.type}"`);
      await fanOutEvent(opts.deps, { id: event.id, type: event.type, tenant: event.tenantid, payload: msg.string() });
    },
  });
}

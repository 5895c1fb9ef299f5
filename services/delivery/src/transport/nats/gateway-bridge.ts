import { eventConsumerNames, type Logger, type Metrics, type Names, type Nats, type RunningConsumer, startConsumer } from '@assent/platform';
import { DeliverPolicy } from '@nats-io/jetstream';
import { isOutsideEvent } from '../../domain/event-types.js';
import type { EventGateway } from '../../domain/ports.js';
import { subjectTenant, tenantEventOf } from './tenant-event.js';

export const GATEWAY_BRIDGE_CONSUMER = eventConsumerNames.deliveryGatewayBridge;

/**
 * Copies each tenant's events into its stream on the event gateway, in order per
 * tenant (one replica at a time, a lane per tenant), once per event id (the gateway
 * stream's duplicate window absorbs redeliveries). A tenant's stream starts when it
 * gets its first stream credential; a gateway outage is lag, never a lost event.
 * Events of tenants without a gateway account are acknowledged without being parsed.
 */
export function startGatewayBridge(opts: { nats: Nats; names: Names; logger: Logger; metrics: Metrics; gateway: EventGateway }): Promise<RunningConsumer> {
  const { names, gateway } = opts;
  return startConsumer({
    nats: opts.nats,
    names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: names.eventsStream,
    durable: GATEWAY_BRIDGE_CONSUMER,
    filterSubject: names.allEvents(),
    deliverPolicy: DeliverPolicy.New,
    exclusive: true,
    keyOf: (msg) => subjectTenant(msg, names),
    concurrency: 32,
    handle: async (msg) => {
      // Most tenants have no outside consumers: their events are acked unread.
      if (!gateway.serves(subjectTenant(msg, names))) return;
      const event = tenantEventOf(msg, names);
      if (!isOutsideEvent(event.type)) return;
      await gateway.forward({ tenant: event.tenantid, subject: msg.subject, id: event.id, payload: msg.data });
    },
  });
}

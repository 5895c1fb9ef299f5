import { PoisonMessageError, parseEvent, patterns, redisDeduper, startConsumer, type Logger, type Metrics, type Names, type Nats, type Redis, type RunningConsumer } from '@assent/platform';
import { DeliverPolicy } from '@nats-io/jetstream';
import { fanOutEvent } from '../../domain/commands/fan-out-event.js';
import type { DeliveryDeps } from '../../domain/ports.js';

export const FANOUT_CONSUMER = 'delivery-fanout';

/**
 * Every domain event → one delivery task per interested endpoint. Deduplicated on the
 * event id (Nats-Msg-Id) in Redis, and the task queue dedupes (event, endpoint) too.
 */
export function startFanoutConsumer(opts: { nats: Nats; names: Names; logger: Logger; metrics: Metrics; redis: Redis; deps: DeliveryDeps }): Promise<RunningConsumer> {
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
    concurrency: 4,
    dedupe: redisDeduper(opts.redis, FANOUT_CONSUMER),
    handle: async (msg) => {
      let event;
      try {
        event = parseEvent(msg.data);
      } catch (err) {
        throw new PoisonMessageError(`not a valid CloudEvent: ${(err as Error).message}`, { cause: err });
      }
      // <root>.evt.<tenant>.<domain>.<event>: the subject and the event must agree on the
      // tenant, or one tenant's event could reach another tenant's endpoints.
      const subjectTenant = msg.subject.slice(names.root.length + 1).split('.')[1];
      if (!patterns.tenant.test(event.tenantid) || subjectTenant !== event.tenantid) {
        throw new PoisonMessageError(`event tenant "${event.tenantid}" does not match subject ${msg.subject}`);
      }
      await fanOutEvent(opts.deps, { id: event.id, type: event.type, tenant: event.tenantid, payload: msg.string() });
    },
  });
}

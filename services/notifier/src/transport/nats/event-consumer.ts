import { eventConsumerNames, type RunningConsumer, type ServiceRuntime, startConsumer } from '@assent/platform';
import type { NotifierDeps } from '../../domain/ports.js';
import { handleApprovalEvent } from './approval-event-handler.js';
import { requestKey } from './request-key.js';

export const CONSUMER = eventConsumerNames.notifier;

/** Requests handled at once; each is one lane, so this bounds concurrent Slack calls too. */
const CONCURRENCY = 32;

/**
 * The durable `notifier` consumer of every tenant's approval events, ordered per
 * request (keyed by `<tenant>/<ce-subject>`, one replica at a time): a request's
 * message is posted before its decision edits it, and requests run in parallel.
 *
 * No Redis deduper: each command reads the request's notification record before it
 * sends and finds the one a redelivery already produced, so a deduper would only
 * add a round trip to every event (and could not cover a crash between the Slack
 * call and the record anyway).
 */
export function startEventConsumer(rt: ServiceRuntime, deps: NotifierDeps): Promise<RunningConsumer> {
  return startConsumer({
    nats: rt.nats,
    names: rt.names,
    logger: rt.logger,
    metrics: rt.metrics,
    stream: rt.names.eventsStream,
    durable: CONSUMER,
    filterSubject: `${rt.names.root}.evt.*.approval.*`,
    keyOf: (msg) => requestKey(rt.names.root, msg),
    exclusive: true,
    concurrency: CONCURRENCY,
    handle: async (msg) => {
      await handleApprovalEvent(deps, rt.logger, msg.data);
    },
  });
}

import { redisDeduper, startConsumer, type RunningConsumer, type ServiceRuntime } from '@assent/platform';
import type { NotifierDeps } from '../../domain/ports.js';
import { handleApprovalEvent } from './approval-event-handler.js';

export const CONSUMER = 'notifier';

/**
 * The durable `notifier` consumer of every tenant's approval events. Ordered
 * (one at a time) so a request's message is posted before its decision edits it;
 * the Redis deduper acks plain redeliveries, and each command is itself
 * idempotent for the ones the deduper cannot know about.
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
    concurrency: 1,
    dedupe: redisDeduper(rt.redis, CONSUMER),
    handle: async (msg) => {
      await handleApprovalEvent(deps, rt.logger, msg.data);
    },
  });
}

import { DeliverPolicy, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { startConsumer, type RunningConsumer, type ServiceRuntime, type StreamEntityStore } from '@assent/platform';
import { fromJson, type RequestJson } from '../../adapters/jetstream/request-json.js';
import type { InboxIndex } from '../../domain/ports.js';

export const INBOX_CONSUMER = 'request-inbox';

/**
 * Keeps the inbox index (Redis) in step with the request state stream: each stored
 * revision, in its request's order (one lane per request, one replica at a time). A
 * consumer of its own rather than a step of the outbox relay, so a Redis outage
 * delays only the inboxes (visible as this consumer's lag), never the events.
 *
 * Redis holds only what the stream can give again: when the index is missing (a
 * first start, or Redis lost its data) one replica deletes the consumer, which is
 * then made again from the latest revision of every request, and so rebuilds it.
 */
export async function startInboxConsumer(
  rt: ServiceRuntime,
  store: StreamEntityStore<RequestJson>,
  inbox: InboxIndex,
  claimRebuild: () => Promise<boolean>,
): Promise<RunningConsumer> {
  if (await claimRebuild()) {
    rt.logger.warn('the inbox index is not in Redis: rebuilding it from the latest state of every request');
    await rt.nats.jsm.consumers.delete(store.stream, INBOX_CONSUMER).catch((err: unknown) => {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    });
  }
  return startConsumer({
    nats: rt.nats,
    names: rt.names,
    logger: rt.logger,
    metrics: rt.metrics,
    stream: store.stream,
    durable: INBOX_CONSUMER,
    // Only when the consumer is made: the latest revision of each request, then every new one.
    deliverPolicy: DeliverPolicy.LastPerSubject,
    filterSubject: `${rt.names.root}.state.request.>`,
    keyOf: (msg) => msg.subject,
    exclusive: true,
    concurrency: 64,
    handle: async (msg) => {
      await inbox.project(fromJson(msg.json<{ value: RequestJson }>().value));
    },
  });
}

import { startConsumer, type RunningConsumer, type ServiceRuntime, type StreamEntityStore } from '@assent/platform';
import { fromJson, type RequestJson } from '../../adapters/jetstream/request-json.js';
import type { InboxIndex } from '../../domain/ports.js';

/**
 * Keeps the inbox index (Redis) in step with the request state stream: each stored
 * revision, in its request's order (one lane per request, one replica at a time). A
 * consumer of its own rather than a step of the outbox relay, so a Redis outage
 * delays only the inboxes (visible as this consumer's lag), never the events.
 */
export function startInboxConsumer(rt: ServiceRuntime, store: StreamEntityStore<RequestJson>, inbox: InboxIndex): Promise<RunningConsumer> {
  return startConsumer({
    nats: rt.nats,
    names: rt.names,
    logger: rt.logger,
    metrics: rt.metrics,
    stream: store.stream,
    durable: 'request-inbox',
    filterSubject: `${rt.names.root}.state.request.>`,
    keyOf: (msg) => msg.subject,
    exclusive: true,
    concurrency: 64,
    handle: async (msg) => {
      await inbox.project(fromJson(msg.json<{ value: RequestJson }>().value));
    },
  });
}

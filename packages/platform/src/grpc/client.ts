import {
  createChannel,
  createClientFactory,
  Metadata,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { openTelemetryClientMiddleware } from 'nice-grpc-opentelemetry';
import type { ClientMiddlewareCall, CallOptions } from 'nice-grpc-common';
import type { TokenSource } from '../auth/token-source.js';

export type { Channel };

/** Adds `authorization: Bearer <token>` from the token source to every call. */
function bearer(tokens: TokenSource) {
  return async function* <Req, Res>(call: ClientMiddlewareCall<Req, Res>, options: CallOptions) {
    const metadata = Metadata(options.metadata);
    metadata.set('authorization', `Bearer ${await tokens.token()}`);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

export function openChannel(address: string): Channel {
  return createChannel(address, undefined, {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.enable_retries': 1,
  });
}

/** A promise-based client with tracing, rich error details and bearer auth. */
export function createGrpcClient<D extends CompatServiceDefinition>(definition: D, channel: Channel, tokens: TokenSource): Client<D> {
  return createClientFactory()
    .use(openTelemetryClientMiddleware())
    .use(errorDetailsClientMiddleware)
    .use(bearer(tokens))
    .create(definition, channel);
}

import type { ChannelCredentials } from '@grpc/grpc-js';
import {
  createChannel,
  createClientFactory,
  Metadata,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { openTelemetryClientMiddleware } from 'nice-grpc-opentelemetry';
import type { ClientMiddlewareCall, CallOptions } from 'nice-grpc-common';
import type { TokenSource } from '../auth/token-source.js';
import { tracingEnabled } from '../telemetry.js';

export type { Channel };

/** Adds `authorization: Bearer <token>` from the token source to every call. */
function bearer(tokens: TokenSource) {
  return async function* <Req, Res>(call: ClientMiddlewareCall<Req, Res>, options: CallOptions) {
    const metadata = Metadata(options.metadata);
    metadata.set('authorization', `Bearer ${await tokens.token()}`);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

const roundRobin = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

/**
 * Opens a channel to one address (`host:port`, pick-first as before) or to several
 * replicas, balanced per call with grpc-js client-side round robin:
 * - `ipv4:127.0.0.1:50052,127.0.0.1:50152` (or a bare `a:1,b:2` list, read as ipv4:)
 *   — a fixed replica list, as `make up` with REPLICAS=N passes;
 * - `dns:///authz-headless.assent.svc:50052` — every A record of a headless
 *   Kubernetes Service, re-resolved when connections drop.
 * Without round robin one HTTP/2 connection would pin all calls to one replica.
 */
export function openChannel(address: string, credentials?: ChannelCredentials): Channel {
  const scheme = /^(ipv4|ipv6|dns):/.exec(address)?.[1];
  const target = !scheme && address.includes(',') ? `ipv4:${address}` : address;
  const balanced = target !== address || scheme !== undefined;
  return createChannel(target, credentials, {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.enable_retries': 1,
    // No channelz: nothing here serves it, and its per-call bookkeeping is not free.
    'grpc.enable_channelz': 0,
    ...(balanced ? { 'grpc.service_config': roundRobin } : {}),
  });
}

/**
 * A promise-based client with rich error details, bearer auth and, when tracing is
 * on (telemetry.ts), a span per call. With `deadlineMs` every call that sets no
 * deadline of its own fails with DEADLINE_EXCEEDED after that long: what one
 * service uses to call another, so a stuck peer cannot hold a handler forever.
 */
export function createGrpcClient<D extends CompatServiceDefinition>(
  definition: D,
  channel: Channel,
  tokens: TokenSource,
  opts: { deadlineMs?: number } = {},
): Client<D, DeadlineOptions> {
  const factory = tracingEnabled() ? createClientFactory().use(openTelemetryClientMiddleware()) : createClientFactory();
  return factory
    .use(errorDetailsClientMiddleware)
    .use(bearer(tokens))
    .use(deadlineMiddleware)
    .create(definition, channel, opts.deadlineMs ? { '*': { deadline: opts.deadlineMs } } : {});
}

import { RedisRateLimiter, type Redis } from '@assent/platform';
import type { SlackGateway } from '../../domain/ports.js';
import { PacedSlackGateway } from './paced-slack-gateway.js';

/**
 * The Slack gateway every replica paces through the same Redis token buckets (one per
 * channel). While Redis is unreachable each replica keeps 1/`fallbackReplicas` of the
 * rate on its own, so the sum still holds and Slack is never flooded.
 */
export function pacedSlack(inner: SlackGateway, redis: Redis, opts: { perChannel: { perSecond: number; burst: number }; fallbackReplicas: number }): PacedSlackGateway {
  const limiter = new RedisRateLimiter(redis, { fallbackReplicas: opts.fallbackReplicas });
  // Up to one token interval is slept in place; longer waits (a 429's Retry-After, a backlog) go back to the consumer.
  const maxInlineWaitMs = Math.ceil(1000 / opts.perChannel.perSecond) + 100;
  return new PacedSlackGateway(inner, limiter, { rate: opts.perChannel, maxInlineWaitMs, maxWaitersPerChannel: 2 });
}

import type { Redis } from '@assent/platform';
import type { ReplayGuard } from '../../domain/slack/interaction-ports.js';

/** Key of a seen Slack request (under the client's `<root>:` prefix; the notifier's ACL allows `slack:notifier:*`). */
export const slackReplayKey = (key: string): string => `slack:notifier:seen:${key}`;

/**
 * The replay guard every replica shares: SET NX with an expiry, so of two deliveries
 * of one signed request exactly one is first, wherever they land. An expired entry is
 * harmless: the signature's timestamp is outside the window by then.
 */
export class RedisReplayGuard implements ReplayGuard {
  constructor(private readonly redis: Redis) {}

  async first(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(slackReplayKey(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}

import type { Rate, RateLimiter } from '@assent/platform';
import { DeliveryRetryableError } from '../../domain/errors.js';
import type { SlackGateway, SlackMessage } from '../../domain/ports.js';

export interface SlackPacing {
  /** Per channel, shared by every replica (Slack: about one message per second per channel, short bursts). */
  rate: Rate;
  /** A wait up to this long is slept here; a longer one goes back to the consumer as a retry with that delay. */
  maxInlineWaitMs: number;
  /** At most this many calls of one channel wait here at once; more are handed back at once (they hold no consumer slot then). */
  maxWaitersPerChannel: number;
}

/**
 * Paces every post and update per Slack channel through the shared rate limiter
 * (token buckets in Redis, `rl:notifier:slack:<channel>`), and remembers a channel
 * Slack answered 429 for until its Retry-After. A short wait is slept here; a long one,
 * or one behind enough others of the same channel, is a DeliveryRetryableError with
 * the delay, which the consumer waits out without holding a slot (RetryLaterError), so
 * a busy channel delays only its own messages. Nothing is dropped: every refusal is a retry.
 */
export class PacedSlackGateway implements SlackGateway {
  private readonly waiting = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();
  /** Channel name → id learnt from posts, so a channel's posts by name and updates by id share one bucket. */
  private readonly ids = new Map<string, string>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly inner: SlackGateway,
    private readonly limiter: RateLimiter,
    private readonly pacing: SlackPacing,
    opts: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }> {
    const key = this.keyOf(message.channel);
    const res = await this.paced(key, () => this.inner.postMessage(message));
    if (key !== res.channel && this.ids.size < 10_000) {
      // From now on the channel's bucket is its id's; this post counts there too.
      this.ids.set(key, res.channel);
      await this.limiter.take([this.bucket(res.channel)]);
    }
    return res;
  }

  updateMessage(message: SlackMessage & { ts: string }): Promise<{ channel: string; ts: string }> {
    return this.paced(this.keyOf(message.channel), () => this.inner.updateMessage(message));
  }

  /** conversations.open is not a message: Slack limits it per app (tier 4), not per channel. */
  openDirectMessage(user: string): Promise<string> {
    return this.inner.openDirectMessage(user);
  }

  private bucket(channel: string) {
    return { key: `notifier:slack:${channel}`, rate: this.pacing.rate };
  }

  private keyOf(channel: string): string {
    const name = channel.replace(/^#/, '');
    return this.ids.get(name) ?? name;
  }

  private async paced<R>(channel: string, call: () => Promise<R>): Promise<R> {
    await this.turn(channel);
    try {
      return await call();
    } catch (err) {
      if (err instanceof DeliveryRetryableError && err.code === 'ratelimited' && err.retryAfterMs) {
        this.blockedUntil.set(channel, this.now() + err.retryAfterMs);
      }
      throw err;
    }
  }

  /** Resolves when this call may go to Slack; throws DeliveryRetryableError('paced') when it should wait elsewhere. */
  private async turn(channel: string): Promise<void> {
    for (;;) {
      const blocked = (this.blockedUntil.get(channel) ?? 0) - this.now();
      if (blocked <= 0) this.blockedUntil.delete(channel);
      const admission = blocked > 0 ? { allowed: false as const, retryAfterMs: blocked } : await this.limiter.take([this.bucket(channel)]);
      if (admission.allowed) return;
      const waiters = this.waiting.get(channel) ?? 0;
      if (admission.retryAfterMs > this.pacing.maxInlineWaitMs || waiters >= this.pacing.maxWaitersPerChannel) {
        throw new DeliveryRetryableError('slack', 'paced', admission.retryAfterMs);
      }
      this.waiting.set(channel, waiters + 1);
      try {
        await this.sleep(admission.retryAfterMs);
      } finally {
        const left = (this.waiting.get(channel) ?? 1) - 1;
        if (left > 0) this.waiting.set(channel, left);
        else this.waiting.delete(channel);
      }
    }
  }
}

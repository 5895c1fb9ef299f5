import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '@assent/platform';
import { MemorySlackGateway } from '../src/adapters/memory/slack-gateway.js';
import { PacedSlackGateway } from '../src/adapters/slack/paced-slack-gateway.js';
import { DeliveryRetryableError } from '../src/domain/errors.js';

/** A paced gateway on the in-memory twins, with a clock that only moves when it sleeps. */
function paced(opts: { perSecond?: number; burst?: number; maxInlineWaitMs?: number; maxWaitersPerChannel?: number } = {}) {
  let now = 1_000_000;
  const slept: number[] = [];
  const slack = new MemorySlackGateway(['approvals', 'payments']);
  const gateway = new PacedSlackGateway(
    slack,
    new MemoryRateLimiter(() => now),
    { rate: { perSecond: opts.perSecond ?? 1, burst: opts.burst ?? 1 }, maxInlineWaitMs: opts.maxInlineWaitMs ?? 1_100, maxWaitersPerChannel: opts.maxWaitersPerChannel ?? 2 },
    {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    },
  );
  return { gateway, slack, slept, advance: (ms: number) => (now += ms) };
}

describe('PacedSlackGateway', () => {
  it('paces one channel to its rate by waiting, and other channels not at all', async () => {
    const { gateway, slack, slept } = paced();
    await gateway.postMessage({ channel: 'approvals', text: '1' });
    await gateway.postMessage({ channel: 'payments', text: 'other channel' });
    expect(slept).toEqual([]);
    await gateway.postMessage({ channel: 'approvals', text: '2' });
    expect(slept).toEqual([1000]);
    expect(slack.posted.map((m) => m.text)).toEqual(['1', 'other channel', '2']);
  });

  it("a channel's posts by name and updates by id share one bucket", async () => {
    const { gateway, slept } = paced();
    const posted = await gateway.postMessage({ channel: '#approvals', text: 'x' });
    await gateway.updateMessage({ channel: posted.channel, ts: posted.ts, text: 'y' });
    expect(slept).toEqual([1000]);
  });

  it('hands a long wait back as a retry with its delay instead of holding the caller', async () => {
    const { gateway, slack } = paced({ perSecond: 0.2 });
    await gateway.postMessage({ channel: 'approvals', text: '1' });
    // The id bucket is charged too when the post tells the id: 5 s to the next token.
    const err = await gateway.postMessage({ channel: 'approvals', text: '2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryRetryableError);
    expect(err).toMatchObject({ code: 'paced', retryAfterMs: 5000 });
    expect(slack.posted).toHaveLength(1);
  });

  it('lets only a few callers of one channel wait in place; the rest are handed back', async () => {
    let now = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slack = new MemorySlackGateway(['approvals']);
    const slow = new PacedSlackGateway(
      slack,
      new MemoryRateLimiter(() => now),
      { rate: { perSecond: 1, burst: 1 }, maxInlineWaitMs: 1_100, maxWaitersPerChannel: 1 },
      { now: () => now, sleep: (ms) => gate.then(() => void (now += ms)) },
    );
    await slow.postMessage({ channel: 'C0000000001', text: '1' });
    const waiting = slow.postMessage({ channel: 'C0000000001', text: '2' });
    await expect(slow.postMessage({ channel: 'C0000000001', text: '3' })).rejects.toMatchObject({ code: 'paced' });
    release();
    await waiting;
    expect(slack.posted.map((m) => m.text)).toEqual(['1', '2']);
  });

  it("after Slack's 429 the channel waits out Retry-After before the next call", async () => {
    const { gateway, slack, slept } = paced({ burst: 5 });
    slack.failNext(new DeliveryRetryableError('slack', 'ratelimited', 30_000));
    await expect(gateway.postMessage({ channel: 'approvals', text: '1' })).rejects.toMatchObject({ code: 'ratelimited' });
    await expect(gateway.postMessage({ channel: 'approvals', text: '1' })).rejects.toMatchObject({ code: 'paced', retryAfterMs: 30_000 });
    await gateway.postMessage({ channel: 'payments', text: 'not blocked' });
    expect(slack.posted.map((m) => m.text)).toEqual(['not blocked']);
    expect(slept).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DeliveryRejectedError } from '../../src/domain/errors.js';
import type { SlackGateway } from '../../src/domain/ports.js';

export interface SlackHarness {
  gateway: SlackGateway;
  /** Current messages in a channel (by id), as Slack would show them. */
  messages(channelId: string): { ts: string; text: string; blocks: unknown[] | undefined; threadTs: string | undefined }[];
}

/** One contract for every SlackGateway: the Web API adapter (against the local Slack server) and its in-memory twin. */
export function slackGatewayContract(name: string, make: (channels: string[]) => Promise<SlackHarness>): void {
  describe(`SlackGateway contract: ${name}`, () => {
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*hello*' } }];

    it('posts to a channel by name, answering its id and increasing ts', async () => {
      const { gateway, messages } = await make(['approvals']);
      const a = await gateway.postMessage({ channel: '#approvals', text: 'first', blocks });
      const b = await gateway.postMessage({ channel: 'approvals', text: 'second' });
      expect(a.channel).toMatch(/^C[A-Z0-9]{8,}$/);
      expect(b.channel).toBe(a.channel);
      expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
      expect(messages(a.channel).map((m) => m.text)).toEqual(['first', 'second']);
      expect(messages(a.channel)[0]?.blocks).toEqual(blocks);
    });

    it('updates a message in place and replies in its thread', async () => {
      const { gateway, messages } = await make(['approvals']);
      const posted = await gateway.postMessage({ channel: 'approvals', text: 'pending', blocks });
      const updated = await gateway.updateMessage({ channel: posted.channel, ts: posted.ts, text: 'approved', blocks: [] });
      expect(updated).toEqual(posted);
      const reply = await gateway.postMessage({ channel: posted.channel, threadTs: posted.ts, text: 'approved by bob' });
      const [original, threaded] = messages(posted.channel);
      expect(original).toMatchObject({ ts: posted.ts, text: 'approved' });
      expect(original?.blocks ?? []).toEqual([]);
      expect(threaded).toMatchObject({ ts: reply.ts, threadTs: posted.ts, text: 'approved by bob' });
    });

    it('rejects unknown channels and messages with Slack\'s error codes', async () => {
      const { gateway } = await make(['approvals']);
      const err = await gateway.postMessage({ channel: '#nope', text: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryRejectedError);
      expect(err).toMatchObject({ code: 'channel_not_found' });
      const posted = await gateway.postMessage({ channel: 'approvals', text: 'x' });
      await expect(gateway.updateMessage({ channel: posted.channel, ts: '1600000000.000100', text: 'y' })).rejects.toMatchObject({ code: 'message_not_found' });
      // chat.update addresses channels by id only.
      await expect(gateway.updateMessage({ channel: 'approvals', ts: posted.ts, text: 'y' })).rejects.toMatchObject({ code: 'channel_not_found' });
    });

    it('opens a direct-message channel with a user and posts there', async () => {
      const { gateway, messages } = await make(['approvals']);
      const dm = await gateway.openDirectMessage('U0ALICE');
      expect(dm).toMatch(/^D[A-Z0-9]+$/);
      expect(await gateway.openDirectMessage('U0ALICE')).toBe(dm);
      const posted = await gateway.postMessage({ channel: dm, text: 'your request was approved' });
      expect(posted.channel).toBe(dm);
      expect(messages(dm).map((m) => m.text)).toEqual(['your request was approved']);
    });
  });
}

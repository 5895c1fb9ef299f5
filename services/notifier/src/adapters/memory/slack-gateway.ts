import { DeliveryRejectedError } from '../../domain/errors.js';
import type { SlackGateway, SlackMessage } from '../../domain/ports.js';

interface Stored extends SlackMessage {
  ts: string;
}

/**
 * In-memory twin of the Slack Web API gateway (same contract as adapters/slack):
 * known channels only, ids for updates, increasing ts. `failNext` lets unit tests
 * inject the errors the real adapter classifies.
 */
export class MemorySlackGateway implements SlackGateway {
  readonly posted: Stored[] = [];
  readonly updated: Stored[] = [];
  private readonly ids = new Map<string, string>();
  private seq = 0;
  private failures: Error[] = [];

  constructor(channels: string[] = ['approvals']) {
    channels.forEach((c, i) => {
      const id = /^[CGD][A-Z0-9]{8,}$/.test(c) ? c : `C${String(i + 1).padStart(10, '0')}`;
      this.ids.set(c.replace(/^#/, ''), id);
      this.ids.set(id, id);
    });
  }

  channelId(nameOrId: string): string | undefined {
    return this.ids.get(nameOrId.replace(/^#/, ''));
  }

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  /** Current state of every message (posts with their latest update applied). */
  messages(channel: string): Stored[] {
    return this.posted.filter((m) => m.channel === channel);
  }

  async postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }> {
    this.throwInjected();
    const channel = this.channelId(message.channel);
    if (!channel) throw new DeliveryRejectedError('slack', 'channel_not_found');
    if (message.threadTs && !this.posted.some((m) => m.channel === channel && m.ts === message.threadTs)) {
      throw new DeliveryRejectedError('slack', 'thread_not_found');
    }
    const ts = `1700000000.${String(++this.seq * 100).padStart(6, '0')}`;
    this.posted.push({ ...message, channel, ts });
    return { channel, ts };
  }

  async updateMessage(message: SlackMessage & { ts: string }): Promise<{ channel: string; ts: string }> {
    this.throwInjected();
    // Slack's chat.update takes the channel id only, never a name.
    const channel = this.ids.get(message.channel) === message.channel ? message.channel : undefined;
    if (!channel) throw new DeliveryRejectedError('slack', 'channel_not_found');
    const original = this.posted.find((m) => m.channel === channel && m.ts === message.ts);
    if (!original) throw new DeliveryRejectedError('slack', 'message_not_found');
    original.text = message.text;
    original.blocks = message.blocks;
    this.updated.push({ ...message, channel });
    return { channel, ts: message.ts };
  }

  async openDirectMessage(user: string): Promise<string> {
    this.throwInjected();
    if (!/^[UW][A-Z0-9]{2,}$/.test(user)) throw new DeliveryRejectedError('slack', 'user_not_found');
    const id = `D${user.slice(1)}`;
    this.ids.set(id, id);
    return id;
  }

  private throwInjected(): void {
    const err = this.failures.shift();
    if (err) throw err;
  }
}

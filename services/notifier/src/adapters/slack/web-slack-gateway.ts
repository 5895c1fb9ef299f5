import type { Logger } from '@assent/platform';
import { WebClient, type ChatPostMessageArguments, type ChatUpdateArguments } from '@slack/web-api';
import type { SlackGateway, SlackMessage } from '../../domain/ports.js';
import { classifySlackError } from './classify-slack-error.js';
import { slackLogger } from './slack-logger.js';

const TIMEOUT_MS = 10_000;

/**
 * The real Slack client. Its own retries are off and rate-limited calls are
 * rejected at once: the JetStream consumer owns retries (backoff, Retry-After,
 * parking), so a message is never retried by two mechanisms at once.
 */
export function createSlackClient(opts: { token: string; apiUrl: string; logger: Logger }): WebClient {
  return new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    timeout: TIMEOUT_MS,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: slackLogger(opts.logger),
  });
}

export class WebSlackGateway implements SlackGateway {
  constructor(private readonly client: WebClient) {}

  async postMessage(m: SlackMessage): Promise<{ channel: string; ts: string }> {
    const args = { channel: m.channel, text: m.text, blocks: m.blocks, thread_ts: m.threadTs } as ChatPostMessageArguments;
    return located(await this.call(() => this.client.chat.postMessage(args)));
  }

  async updateMessage(m: SlackMessage & { ts: string }): Promise<{ channel: string; ts: string }> {
    // An empty blocks array removes the old blocks (the buttons); undefined would keep them.
    const args = { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks ?? [] } as ChatUpdateArguments;
    return located(await this.call(() => this.client.chat.update(args)));
  }

  async openDirectMessage(user: string): Promise<string> {
    const res = await this.call(() => this.client.conversations.open({ users: user }));
    const id = res.channel?.id;
    if (!id) throw new Error('Slack answered ok without a channel id');
    return id;
  }

  /** Who the token belongs to (auth.test); used at boot to say whether Slack is reachable. */
  async identity(): Promise<{ team: string; user: string }> {
    const res = await this.call(() => this.client.auth.test());
    return { team: String(res.team ?? ''), user: String(res.user ?? '') };
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw classifySlackError(err);
    }
  }
}

function located(res: { channel?: string; ts?: string }): { channel: string; ts: string } {
  // Slack always answers both on success; without them the message could never be updated.
  if (!res.channel || !res.ts) throw new Error('Slack answered ok without channel and ts');
  return { channel: res.channel, ts: res.ts };
}

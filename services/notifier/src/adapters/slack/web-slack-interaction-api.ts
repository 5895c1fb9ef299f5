import type { WebClient } from '@slack/web-api';
import type { SlackInteractionApi, SlackModal } from '../../domain/slack/interaction-ports.js';
import { classifySlackError } from './classify-slack-error.js';

/**
 * views.open through the Web API, and answers to an interaction's response_url. The
 * response_url comes from a payload whose signature was checked, but it is still a URL
 * the notifier POSTs to, so only Slack's hooks host (or, for local runs and tests, the
 * configured API origin) is accepted.
 */
export class WebSlackInteractionApi implements SlackInteractionApi {
  private readonly origins: Set<string>;
  constructor(
    private readonly client: WebClient,
    apiUrl: string,
  ) {
    this.origins = new Set(['https://hooks.slack.com', new URL(apiUrl).origin]);
  }

  async openModal(triggerId: string, view: SlackModal): Promise<void> {
    try {
      await this.client.views.open({ trigger_id: triggerId, view });
    } catch (err) {
      throw classifySlackError(err);
    }
  }

  async respondEphemeral(responseUrl: string, text: string): Promise<void> {
    if (!URL.canParse(responseUrl) || !this.origins.has(new URL(responseUrl).origin)) throw new Error(`response_url ${responseUrl} is not Slack's`);
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(2_000),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  }
}

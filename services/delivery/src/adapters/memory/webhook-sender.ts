import type { SendResult, WebhookRequest, WebhookSender } from '../../domain/ports.js';

type Reply = { status: number; retryAfter?: string } | { error: string; timedOut?: boolean };

/** In-memory twin of the HTTP sender: records requests and answers from a script (then 200). */
export class ScriptedWebhookSender implements WebhookSender {
  readonly requests: WebhookRequest[] = [];
  private readonly script: Reply[] = [];

  /** Queues the next replies, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  async send(request: WebhookRequest): Promise<SendResult> {
    this.requests.push(structuredClone(request));
    const next = this.script.shift() ?? { status: 200 };
    if ('error' in next) return { kind: 'error', error: next.error, timedOut: next.timedOut ?? false, durationMs: 1 };
    return { kind: 'response', status: next.status, retryAfter: next.retryAfter, durationMs: 1 };
  }
}

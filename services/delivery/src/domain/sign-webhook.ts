import { Webhook } from 'standardwebhooks';

/** Standard Webhooks headers for one delivery; the signature covers id, timestamp and body. */
export function signWebhook(secret: string, msgId: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(msgId, at, body),
  };
}

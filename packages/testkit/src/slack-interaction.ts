import { createHmac } from 'node:crypto';

/**
 * An interaction request exactly as Slack sends it: the payload JSON form-encoded as
 * `payload=`, signed v0 (HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret).
 */
export function signedSlackInteraction(secret: string, payload: unknown, timestampSeconds = Math.floor(Date.now() / 1000)): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to be believed about requests older (or newer) than this: a captured request replays only within it. */
export const SLACK_SIGNATURE_WINDOW_MS = 5 * 60_000;

export type SlackSignatureProblem = 'missing' | 'stale' | 'mismatch';

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256(signing secret,
 * `v0:<X-Slack-Request-Timestamp>:<raw body>`). Used by the tests to sign as Slack does.
 */
export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Checks a request claimed to come from Slack: the timestamp within 5 minutes of
 * `now`, then the signature compared in constant time over the raw body exactly as
 * received. Answers the problem, or undefined when it is Slack's. Hand-written
 * rather than taken from @slack/bolt: these lines are the whole of what Bolt's
 * receiver does, and Bolt would bring a web framework the notifier does not use.
 */
export function checkSlackSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowMs: number,
): SlackSignatureProblem | undefined {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return 'missing';
  if (Math.abs(nowMs - Number(timestamp) * 1000) > SLACK_SIGNATURE_WINDOW_MS) return 'stale';
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths; a length differs only for a malformed header.
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'mismatch';
}

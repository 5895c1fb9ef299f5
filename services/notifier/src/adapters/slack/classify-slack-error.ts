import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { DeliveryRejectedError, DeliveryRetryableError } from '../../domain/errors.js';

// Only errors Slack documents as temporary are retried (STYLE.md: retry only known-transient errors);
// everything else (channel_not_found, not_in_channel, invalid_auth, invalid_blocks, …) is parked for an operator.
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Turns a @slack/web-api failure into DeliveryRetryableError or DeliveryRejectedError; other errors pass through. */
export function classifySlackError(err: unknown): unknown {
  if (err instanceof WebAPIRateLimitedError) {
    return new DeliveryRetryableError('slack', 'ratelimited', Math.max(0, err.retryAfter) * 1000, { cause: err });
  }
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    return TRANSIENT.has(code) ? new DeliveryRetryableError('slack', code, undefined, { cause: err }) : new DeliveryRejectedError('slack', code);
  }
  if (err instanceof WebAPIHTTPError) {
    const code = `http_${err.statusCode}`;
    return err.statusCode >= 500 || err.statusCode === 408 ? new DeliveryRetryableError('slack', code, undefined, { cause: err }) : new DeliveryRejectedError('slack', code);
  }
  // Connection refused, reset, DNS, our own timeout: the request may not have reached Slack.
  if (err instanceof WebAPIRequestError) return new DeliveryRetryableError('slack', 'request_failed', undefined, { cause: err });
  return err;
}

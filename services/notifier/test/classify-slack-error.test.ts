import { describe, expect, it } from 'vitest';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { classifySlackError } from '../src/adapters/slack/classify-slack-error.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe('classifySlackError', () => {
  it('retries rate limits no sooner than Retry-After', () => {
    const err = classifySlackError(new WebAPIRateLimitedError(7));
    expect(err).toBeInstanceOf(DeliveryRetryableError);
    expect(err).toMatchObject({ code: 'ratelimited', retryAfterMs: 7000 });
  });

  it.each(['channel_not_found', 'not_in_channel', 'invalid_auth', 'not_authed', 'invalid_blocks', 'some_future_error'])('parks %s (retrying cannot fix it)', (code) => {
    const err = classifySlackError(platform(code));
    expect(err).toBeInstanceOf(DeliveryRejectedError);
    expect(err).toMatchObject({ provider: 'slack', code });
  });

  it.each(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])('retries %s', (code) => {
    expect(classifySlackError(platform(code))).toBeInstanceOf(DeliveryRetryableError);
  });

  it('retries 5xx and lost connections, parks other HTTP errors', () => {
    expect(classifySlackError(new WebAPIHTTPError(503, 'Service Unavailable', {}))).toMatchObject({ constructor: DeliveryRetryableError, code: 'http_503' });
    expect(classifySlackError(new WebAPIHTTPError(404, 'Not Found', {}))).toBeInstanceOf(DeliveryRejectedError);
    expect(classifySlackError(new WebAPIRequestError(new Error('ECONNRESET')))).toBeInstanceOf(DeliveryRetryableError);
  });

  it('leaves errors that are not Slack\'s alone', () => {
    const err = new TypeError('bug');
    expect(classifySlackError(err)).toBe(err);
  });
});

/**
 * Failures of an outbound channel (Slack, SMTP), classified by the adapter so
 * the consumer knows whether to retry. Both carry the provider's error code.
 */
export class DeliveryRejectedError extends Error {
  constructor(
    readonly provider: string,
    readonly code: string,
    message?: string,
  ) {
    super(message ?? `${provider} rejected the message: ${code}`);
    this.name = 'DeliveryRejectedError';
  }
}

/** Transient: try again later, no sooner than `retryAfterMs` when the provider said so. */
export class DeliveryRetryableError extends Error {
  constructor(
    readonly provider: string,
    readonly code: string,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${provider} unavailable: ${code}${retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : ''}`, options);
    this.name = 'DeliveryRetryableError';
  }
}

/** Why an email link or its session cannot be used; nothing was changed. */
export type EmailLinkProblem = 'invalid' | 'expired' | 'used' | 'other-request';

export class EmailLinkError extends Error {
  constructor(readonly problem: EmailLinkProblem) {
    super(`email link ${problem}`);
    this.name = 'EmailLinkError';
  }
}

import { DeliveryRejectedError, DeliveryRetryableError } from '../../domain/errors.js';

// nodemailer's codes for a server that could not be reached or stopped answering:
// the message may not have been accepted, so it is sent again later.
const UNREACHABLE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL', 'ESTREAM']);

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
}

/**
 * Turns a nodemailer failure into DeliveryRetryableError (the server is down or
 * slow, or answered 4xx "try again later") or DeliveryRejectedError (5xx: this
 * recipient or message is refused for good, `recipient_<code>`; a refused login,
 * `auth_failed`, which only an operator can fix). Other errors pass through.
 */
export function classifySmtpError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { code, responseCode } = err as SmtpFailure;
  const reply = typeof responseCode === 'number' ? responseCode : undefined;
  if (reply !== undefined && reply >= 400 && reply < 500) return new DeliveryRetryableError('smtp', `smtp_${reply}`, undefined, { cause: err });
  if (code === 'EAUTH') return new DeliveryRejectedError('smtp', 'auth_failed', `smtp refused the login (${reply ?? 'no reply code'}): check NOTIFIER_SMTP_USER / NOTIFIER_SMTP_PASS`);
  if (reply !== undefined && reply >= 500) return new DeliveryRejectedError('smtp', `recipient_${reply}`);
  if (typeof code === 'string' && UNREACHABLE.has(code)) return new DeliveryRetryableError('smtp', code.toLowerCase(), undefined, { cause: err });
  return err;
}

import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../src/adapters/smtp/classify-smtp-error.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';

const smtpError = (fields: { code?: string; responseCode?: number }) => Object.assign(new Error('smtp'), fields);

describe('classifySmtpError', () => {
  it.each([
    ['a server that is down', { code: 'ECONNECTION' }, 'econnection'],
    ['a server that is slow', { code: 'ETIMEDOUT' }, 'etimedout'],
    ['a dropped connection', { code: 'ESOCKET' }, 'esocket'],
    ['421 service not available', { code: 'EENVELOPE', responseCode: 421 }, 'smtp_421'],
    ['451 try again later', { code: 'EMESSAGE', responseCode: 451 }, 'smtp_451'],
    ['454 temporary auth failure', { code: 'EAUTH', responseCode: 454 }, 'smtp_454'],
  ])('retries %s', (_name, fields, code) => {
    const err = classifySmtpError(smtpError(fields));
    expect(err).toBeInstanceOf(DeliveryRetryableError);
    expect(err).toMatchObject({ provider: 'smtp', code });
  });

  it('refuses a recipient for good on 5xx, and a login an operator must fix', () => {
    expect(classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550 }))).toMatchObject({ constructor: DeliveryRejectedError, code: 'recipient_550' });
    expect(classifySmtpError(smtpError({ code: 'EMESSAGE', responseCode: 554 }))).toMatchObject({ constructor: DeliveryRejectedError, code: 'recipient_554' });
    expect(classifySmtpError(smtpError({ code: 'EAUTH', responseCode: 535 }))).toMatchObject({ constructor: DeliveryRejectedError, code: 'auth_failed' });
  });

  it('leaves other errors alone', () => {
    const bug = new TypeError('bug');
    expect(classifySmtpError(bug)).toBe(bug);
  });
});

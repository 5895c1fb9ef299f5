import { describe, expect, it } from 'vitest';
import { checkSlackSignature, slackSignature } from '../src/domain/slack/slack-signature.js';

// Slack's published example ("Verifying requests from Slack").
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const timestamp = '1531420618';
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const at = Number(timestamp) * 1000;

describe('Slack request signatures (v0)', () => {
  it("verifies Slack's published example", () => {
    expect(slackSignature(secret, timestamp, body)).toBe(signature);
    expect(checkSlackSignature(secret, { timestamp, signature }, body, at + 1_000)).toBeUndefined();
  });

  it('refuses a changed body, another secret, a changed timestamp or a malformed signature', () => {
    expect(checkSlackSignature(secret, { timestamp, signature }, body.replace('text=', 'text=x'), at)).toBe('mismatch');
    expect(checkSlackSignature('another-secret', { timestamp, signature }, body, at)).toBe('mismatch');
    expect(checkSlackSignature(secret, { timestamp: String(Number(timestamp) + 1), signature }, body, at)).toBe('mismatch');
    expect(checkSlackSignature(secret, { timestamp, signature: signature.slice(0, -1) }, body, at)).toBe('mismatch');
    expect(checkSlackSignature(secret, { timestamp, signature: undefined }, body, at)).toBe('missing');
    expect(checkSlackSignature(secret, { timestamp: 'soon', signature }, body, at)).toBe('missing');
  });

  it('refuses timestamps more than 5 minutes off, either way', () => {
    expect(checkSlackSignature(secret, { timestamp, signature }, body, at + 5 * 60_000)).toBeUndefined();
    expect(checkSlackSignature(secret, { timestamp, signature }, body, at + 5 * 60_000 + 1_000)).toBe('stale');
    expect(checkSlackSignature(secret, { timestamp, signature }, body, at - 5 * 60_000 - 1_000)).toBe('stale');
  });
});

import { describe, expect, it } from 'vitest';
import { JoseLinkTokens } from '../src/adapters/jose/jose-link-tokens.js';
import { EmailLinkError } from '../src/domain/errors.js';
import { ulidLike } from './support/fixtures.js';
import { LINK_SECRET } from './support/email-fixtures.js';

const tokens = new JoseLinkTokens(LINK_SECRET);
const now = new Date('2030-01-01T00:00:00Z');
const claims = () => ({ tenant: 'acme', requestId: ulidLike(), principal: 'okta:bob@acme.test', linkId: 'a'.repeat(32), expiresAt: new Date(now.getTime() + 3600_000) });
const problem = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof EmailLinkError ? e.problem : `unexpected: ${String(e)}`));

describe('email link tokens', () => {
  it('verifies what it signed: one person, one request, its own expiry', async () => {
    const c = claims();
    expect(await tokens.verifyLink(await tokens.issueLink(c), now)).toEqual(c);
  });

  it('refuses an expired link as expired, and only then', async () => {
    const token = await tokens.issueLink(claims());
    expect(await problem(tokens.verifyLink(token, new Date(now.getTime() + 3599_000)))).toBe('accepted');
    expect(await problem(tokens.verifyLink(token, new Date(now.getTime() + 3601_000)))).toBe('expired');
  });

  it('refuses tampered, truncated, foreign and swapped tokens as invalid', async () => {
    const c = claims();
    const token = await tokens.issueLink(c);
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mallory' })).toString('base64url')}.${s}`;
    expect(await problem(tokens.verifyLink(forged, now))).toBe('invalid');
    expect(await problem(tokens.verifyLink(`${h}.${p}.${s.slice(0, -2)}AA`, now))).toBe('invalid');
    expect(await problem(tokens.verifyLink(token.slice(0, -10), now))).toBe('invalid');
    expect(await problem(tokens.verifyLink('not-a-token', now))).toBe('invalid');
    expect(await problem(new JoseLinkTokens(`${LINK_SECRET}-other`).verifyLink(token, now))).toBe('invalid');
    // A session is not a link, nor a link a session.
    expect(await problem(tokens.verifyLink(await tokens.issueSession(c, c.expiresAt), now))).toBe('invalid');
    expect(await problem(tokens.verifySession(token, now))).toBe('invalid');
  });

  it('keeps the link\'s expiry in a shorter session', async () => {
    const c = claims();
    const session = await tokens.issueSession(c, new Date(now.getTime() + 900_000));
    expect(await tokens.verifySession(session, now)).toEqual(c);
    expect(await problem(tokens.verifySession(session, new Date(now.getTime() + 901_000)))).toBe('expired');
  });

  it('binds the form token to the link', () => {
    const c = claims();
    const csrf = tokens.csrfToken(c);
    expect(tokens.csrfValid(c, csrf)).toBe(true);
    expect(tokens.csrfValid({ ...c, linkId: 'b'.repeat(32) }, csrf)).toBe(false);
    expect(tokens.csrfValid(c, '')).toBe(false);
    expect(tokens.csrfValid(c, `${csrf}x`)).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => new JoseLinkTokens('short')).toThrow(/at least 32 bytes/);
  });
});

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { patterns } from '@assent/platform/domain';
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { EmailLinkError } from '../../domain/errors.js';
import type { EmailLinkClaims, LinkTokens } from '../../domain/ports.js';

const ISSUER = 'assent-notifier';
const LINK_AUDIENCE = 'assent:email-link';
const SESSION_AUDIENCE = 'assent:email-session';

interface Claims extends JWTPayload {
  tnt?: unknown;
  rid?: unknown;
}

/** One key per purpose from the one secret, so a session can never pass as a link, nor either as a form token. */
function derive(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `assent email ${purpose}`, 32));
}

/**
 * Email links and their sessions as compact JWS (HS256, jose): signed, with an
 * expiry, an audience per kind and the person and request they stand for. A tampered,
 * truncated or foreign token fails verification the same way ("invalid"); only an
 * intact one past its expiry says "expired".
 */
export class JoseLinkTokens implements LinkTokens {
  private readonly linkKey: Uint8Array;
  private readonly sessionKey: Uint8Array;
  private readonly csrfKey: Uint8Array;

  constructor(secret: string) {
    if (Buffer.byteLength(secret, 'utf8') < 32) throw new Error('the email link secret must be at least 32 bytes');
    this.linkKey = derive(secret, 'link');
    this.sessionKey = derive(secret, 'session');
    this.csrfKey = derive(secret, 'csrf');
  }

  issueLink(c: EmailLinkClaims): Promise<string> {
    return this.sign(c, c.expiresAt, this.linkKey, LINK_AUDIENCE);
  }

  verifyLink(token: string, now: Date): Promise<EmailLinkClaims> {
    return this.verify(token, now, this.linkKey, LINK_AUDIENCE);
  }

  async issueSession(c: EmailLinkClaims, until: Date): Promise<string> {
    // The session keeps the link's own expiry in `lexp`: the guard must outlive the link, not the session.
    return new SignJWT({ tnt: c.tenant, rid: c.requestId, lexp: Math.floor(c.expiresAt.getTime() / 1000) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setSubject(c.principal)
      .setJti(c.linkId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(until.getTime() / 1000))
      .sign(this.sessionKey);
  }

  async verifySession(token: string, now: Date): Promise<EmailLinkClaims> {
    const claims = await this.verify(token, now, this.sessionKey, SESSION_AUDIENCE);
    return claims;
  }

  csrfToken(c: EmailLinkClaims): string {
    return createHmac('sha256', this.csrfKey).update(`${c.tenant}\n${c.requestId}\n${c.principal}\n${c.linkId}`).digest('base64url');
  }

  csrfValid(c: EmailLinkClaims, token: string): boolean {
    const want = Buffer.from(this.csrfToken(c));
    const got = Buffer.from(token);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private sign(c: EmailLinkClaims, exp: Date, key: Uint8Array, audience: string): Promise<string> {
    return new SignJWT({ tnt: c.tenant, rid: c.requestId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject(c.principal)
      .setJti(c.linkId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(exp.getTime() / 1000))
      .sign(key);
  }

  private async verify(token: string, now: Date, key: Uint8Array, audience: string): Promise<EmailLinkClaims> {
    let payload: Claims;
    try {
      ({ payload } = await jwtVerify<Claims>(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience, currentDate: now, requiredClaims: ['exp', 'sub', 'jti'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new EmailLinkError('expired');
      throw new EmailLinkError('invalid');
    }
    const { tnt, rid, sub, jti, exp } = payload;
    const lexp = (payload as { lexp?: unknown }).lexp;
    if (typeof tnt !== 'string' || !patterns.tenant.test(tnt) || typeof rid !== 'string' || !patterns.id.test(rid) || !sub || !patterns.user.test(sub) || !jti || exp === undefined) {
      throw new EmailLinkError('invalid');
    }
    return { tenant: tnt, requestId: rid, principal: sub, linkId: jti, expiresAt: new Date((typeof lexp === 'number' ? lexp : exp) * 1000) };
  }
}

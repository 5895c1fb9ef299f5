import { EmailLinkError } from '../errors.js';
import type { EmailLinkClaims, EmailPagesDeps } from '../ports.js';

/** How long the page may be used after the link was opened (never past the link's own expiry). */
export const SESSION_SECONDS = 15 * 60;

/**
 * A link was opened (by the person, or by a mail scanner): checks it and exchanges
 * it for a short session on that one request. Reads only: opening changes nothing,
 * so a scanner that follows the link leaves it usable for the person.
 */
export async function openEmailLink(deps: Pick<EmailPagesDeps, 'links' | 'guard' | 'clock'>, token: string): Promise<{ claims: EmailLinkClaims; session: string; until: Date }> {
  if (!token) throw new EmailLinkError('invalid');
  const now = deps.clock.now();
  const claims = await deps.links.verifyLink(token, now);
  if (await deps.guard.used(claims.tenant, claims.linkId)) throw new EmailLinkError('used');
  const until = new Date(Math.min(claims.expiresAt.getTime(), now.getTime() + SESSION_SECONDS * 1000));
  return { claims, session: await deps.links.issueSession(claims, until), until };
}

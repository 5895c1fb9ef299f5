import { EmailLinkError } from '../errors.js';
import type { EmailLinkClaims, EmailPagesDeps, RequestForApprover } from '../ports.js';

/** Checks a page session: intact, current, for this very request, and its link not used yet. */
export async function checkEmailSession(
  deps: Pick<EmailPagesDeps, 'links' | 'guard' | 'clock'>,
  session: string | undefined,
  at: { tenant: string; requestId: string },
): Promise<EmailLinkClaims> {
  if (!session) throw new EmailLinkError('invalid');
  const claims = await deps.links.verifySession(session, deps.clock.now());
  if (claims.tenant !== at.tenant || claims.requestId !== at.requestId) throw new EmailLinkError('other-request');
  if (await deps.guard.used(claims.tenant, claims.linkId)) throw new EmailLinkError('used');
  return claims;
}

/** The confirmation page's content: the request as the person sees it now, and the form token. Reads only. */
export async function showEmailRequest(
  deps: EmailPagesDeps,
  session: string | undefined,
  at: { tenant: string; requestId: string },
): Promise<{ claims: EmailLinkClaims; current: RequestForApprover; csrf: string }> {
  const claims = await checkEmailSession(deps, session, at);
  const current = await deps.approvals.getRequest({ tenant: claims.tenant, principal: claims.principal }, claims.requestId);
  return { claims, current, csrf: deps.links.csrfToken(claims) };
}

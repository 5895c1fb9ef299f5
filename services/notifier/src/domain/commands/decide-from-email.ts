import { PermissionDeniedError, Violations } from '@assent/platform/domain';
import { EmailLinkError } from '../errors.js';
import type { EmailLinkClaims, EmailPagesDeps, RequestForApprover } from '../ports.js';
import type { Outcome } from '../types.js';
import { checkEmailSession } from './show-email-request.js';

const MAX_REASON = 2000;

/**
 * The person submitted the confirmation form: the one call that changes anything.
 * The link is claimed first (SET NX, shared by every replica), so of two submits
 * only one reaches approvals; if approvals refuses or cannot be reached, the claim
 * is given back and the person may try again, since nothing was decided.
 */
export async function decideFromEmail(
  deps: EmailPagesDeps,
  session: string | undefined,
  at: { tenant: string; requestId: string },
  form: { csrf: string; decision: string; reason: string; acknowledged: string[] },
): Promise<{ claims: EmailLinkClaims; decision: Outcome; result: RequestForApprover }> {
  const claims = await checkEmailSession(deps, session, at);
  if (!deps.links.csrfValid(claims, form.csrf)) throw new PermissionDeniedError('the form is not from this page (CSRF token missing or wrong): open the link from your email again');
  const v = new Violations();
  const decision = form.decision === 'approve' ? 'APPROVE' : form.decision === 'decline' ? 'DECLINE' : undefined;
  if (!decision) v.add('decision', 'must be approve or decline');
  const reason = form.reason.trim();
  if (!reason) v.add('reason', 'is required: say why');
  else if (reason.length > MAX_REASON) v.add('reason', `must be at most ${MAX_REASON} characters`);
  v.throwIfAny();

  if (!(await deps.guard.claim(claims.tenant, claims.linkId, claims.expiresAt))) throw new EmailLinkError('used');
  try {
    const result = await deps.approvals.decide({ tenant: claims.tenant, principal: claims.principal }, claims.requestId, decision as Outcome, reason, decision === 'APPROVE' ? form.acknowledged : []);
    return { claims, decision: decision as Outcome, result };
  } catch (err) {
    await deps.guard.release(claims.tenant, claims.linkId);
    throw err;
  }
}

import { PermissionDeniedError, UnauthenticatedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { eventTypes, steppedUpData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { StepUpRules, StepUpSession } from '../types.js';
import { requireTenant } from './require-tenant.js';

/** Clock skew tolerated between the issuer and us for auth_time. */
const SKEW_MS = 5_000;

/** What a new session needs, in words (and in RFC 9470's terms: acr_values, max_age). */
export function stepUpRequirement(r: StepUpRules): string {
  const how = [r.acr.length ? `acr ${r.acr.join(' or ')}` : '', r.amr.length ? `amr ${r.amr.join(', ')}` : ''].filter(Boolean).join(' or ');
  return `a sign-in within the last ${r.maxAgeSeconds} s with ${how}`;
}

/**
 * Opens (or renews) the caller's step-up session from the token of this very call:
 * its `auth_time` must be at most `maxAgeSeconds` old and its `acr` (or one of its
 * `amr` methods) accepted. Anything less is UNAUTHENTICATED with RFC 9470's
 * `insufficient_user_authentication`, naming the acr values and max age to sign
 * in again with. The session is published for audit.
 */
export async function stepUp(deps: AuthzDeps, caller: Principal, input: { tenant: string }): Promise<StepUpSession> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('step-up sessions are for people');
  await requireTenant(deps.tenants, input.tenant);
  const rules = deps.stepUpRules;
  const now = deps.clock.now();
  const auth = caller.authentication;
  const insufficient = (why: string) =>
    new UnauthenticatedError(
      `insufficient_user_authentication: ${why}; sign in again (acr_values="${rules.acr.join(' ')}", max_age=${rules.maxAgeSeconds}), then call StepUp with the new token`,
    );
  if (!auth?.time) throw insufficient('the token carries no auth_time');
  const age = now.getTime() - auth.time.getTime();
  if (age > rules.maxAgeSeconds * 1000) throw insufficient(`the sign-in is ${Math.round(age / 1000)} s old (at most ${rules.maxAgeSeconds} s)`);
  if (age < -SKEW_MS) throw insufficient('auth_time is in the future');
  const strong = (auth.acr !== undefined && rules.acr.includes(auth.acr)) || auth.amr.some((m) => rules.amr.includes(m));
  if (!strong) throw insufficient(`acr "${auth.acr ?? ''}" and amr [${auth.amr.join(', ')}] are not a strong sign-in here`);
  const session: StepUpSession = {
    principal: caller.subject,
    acr: auth.acr ?? '',
    amr: [...auth.amr],
    authTime: auth.time,
    expiresAt: new Date(now.getTime() + rules.windowSeconds * 1000),
  };
  await deps.stepUps.open(input.tenant, session, rules.windowSeconds * 1000);
  await deps.events.emit(deps.eventFactory.create({ type: eventTypes.steppedUp, subject: `principal/${caller.subject}`, tenant: input.tenant, data: steppedUpData(input.tenant, session) }));
  return session;
}

/**
 * Whether a principal holds a step-up session now; using it slides its window. A
 * person asks about themselves; trusted services (approvals) about anyone.
 */
export async function checkStepUp(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; principal: string },
): Promise<{ session: StepUpSession | undefined; requirement: string }> {
  const principal = input.principal || caller.subject;
  new Violations().check('tenant', input.tenant, 'tenant').check('principal', principal, 'user').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind === 'user' && principal !== caller.subject) throw new PermissionDeniedError(`${caller.subject} may only ask about its own step-up`);
  const session = await deps.stepUps.touch(input.tenant, principal, deps.stepUpRules.windowSeconds * 1000);
  return { session, requirement: stepUpRequirement(deps.stepUpRules) };
}

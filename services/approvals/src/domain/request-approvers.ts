import type { ApprovalsDeps } from './ports.js';
import type { Requirement } from './types.js';

/** Every approver subject of a set of requirements, once each, in order. */
export const approverSubjects = (requirements: Requirement[]): string[] => [...new Set(requirements.flatMap((q) => q.approvers))];

/** The request's approver subjects that include `user` now (authz: tenant members, groups as they are). */
export function matchedSubjects(deps: ApprovalsDeps, r: { tenant: string; action: string; requirements: Requirement[] }, user: string): Promise<string[]> {
  return deps.authz.matchApprover(r.tenant, user, r.action, approverSubjects(r.requirements));
}

/** Whether `user` is among the request's approvers now. */
export async function isRequestApprover(deps: ApprovalsDeps, r: { tenant: string; action: string; requirements: Requirement[] }, user: string): Promise<boolean> {
  return (await matchedSubjects(deps, r, user)).length > 0;
}

import { InvalidArgumentError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

/** A page of a tenant group's members; anyone in the tenant may look (approvers see who else approves). */
export async function listGroupMembers(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; group: string; pageSize: number; pageToken: string },
): Promise<{ users: string[]; nextPageToken: string }> {
  new Violations().check('tenant', input.tenant, 'tenant').check('group', input.group, 'group').throwIfAny();
  if (input.pageSize > MAX_PAGE) throw InvalidArgumentError.field('page_size', `must be at most ${MAX_PAGE}`);
  if (input.pageToken.length > 512) throw InvalidArgumentError.field('page_token', 'is not a token returned by ListGroupMembers');
  assertTenantAccess(caller, input.tenant);
  await requireTenant(deps.tenants, input.tenant);
  const page = await deps.relations.listGroupMembers(input.tenant, input.group, { limit: input.pageSize || DEFAULT_PAGE, cursor: input.pageToken || undefined });
  return { users: page.users, nextPageToken: page.next ?? '' };
}

import { PermissionDeniedError, hasRole, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

export interface AccessGrant {
  action: string;
  resource: string;
  condition: string;
  startsAt: Date;
  expiresAt: Date;
}

export interface Access {
  member: boolean;
  grants: AccessGrant[];
  requestableActions: string[];
  approvableActions: string[];
}

/**
 * What a principal may do in a tenant now, read fresh (never from the decision
 * cache): the grants it holds that are active now (from its grantee tuples, named
 * through the grant catalog; a grant written before the catalog existed shows its
 * key as the resource), the protected actions it may request (a member: all), and
 * those it may approve (OpenFGA ListObjects on action#approver). A non-member holds
 * nothing usable: every list is empty.
 */
export async function listAccess(deps: AuthzDeps, caller: Principal, input: { tenant: string; principal: string }): Promise<Access> {
  const principal = input.principal || caller.subject;
  new Violations().check('tenant', input.tenant, 'tenant').check('principal', principal, 'user').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind === 'user' && principal !== caller.subject && !hasRole(caller, 'admin')) {
    throw new PermissionDeniedError(`${caller.subject} may only list its own access (tenant admins may list anyone's)`);
  }
  await requireTenant(deps.tenants, input.tenant);
  const relations = deps.freshRelations;
  const [member, grants, approvable, actions] = await Promise.all([
    relations.isMember(input.tenant, principal),
    relations.grantsOf(input.tenant, principal),
    relations.approvableActions(input.tenant, principal),
    deps.actions.list(input.tenant),
  ]);
  if (!member) return { member, grants: [], requestableActions: [], approvableActions: [] };
  const now = deps.clock.now().getTime();
  const active = grants.filter((g) => g.start.getTime() <= now && now < g.end.getTime());
  const names = await deps.grantCatalog.lookup(input.tenant, active.map((g) => g.key));
  const registered = new Set(actions.map((a) => a.action));
  return {
    member,
    grants: active
      .map((g) => {
        const e = names.get(g.key);
        return { action: e?.action ?? '', resource: e?.resource ?? `(grant ${g.key}, written before the grant catalog)`, condition: e?.condition ?? '', startsAt: g.start, expiresAt: g.end };
      })
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime()),
    requestableActions: [...registered].sort(),
    approvableActions: approvable.filter((a) => registered.has(a)),
  };
}

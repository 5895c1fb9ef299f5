import { FailedPreconditionError, PermissionDeniedError, Violations, assertTenantAccess, hasRole, requireTenantExists, type Principal } from '@assent/platform/domain';
import { checkpointHead, type CheckpointOutcome } from '../checkpoint-head.js';
import type { CheckpointDeps } from '../ports.js';

/** Who may have a checkpoint signed on demand: the tenant's admins and auditors, and platform admins. */
const ROLES = ['admin', 'auditor'];

/** Signs the tenant's head now (CreateCheckpoint); returns the newest checkpoint when it already covers the head. */
export async function createCheckpoint(deps: CheckpointDeps, caller: Principal, input: { tenant: string }): Promise<CheckpointOutcome> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, input.tenant);
    if (!ROLES.some((r) => hasRole(caller, r))) throw new PermissionDeniedError('creating a checkpoint needs the admin or auditor role');
  }
  await requireTenantExists(deps.tenants, input.tenant);
  const outcome = await checkpointHead(deps, input.tenant);
  if (!outcome) throw new FailedPreconditionError(`the audit chain of tenant "${input.tenant}" is empty: there is no head to sign`);
  return outcome;
}

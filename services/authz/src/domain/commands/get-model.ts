import { PermissionDeniedError, hasRole, type Principal } from '@assent/platform/domain';
import type { CurrentModel, ModelLifecycleDeps } from '../ports.js';

/** The model every decision is made with now. Platform admins and tenant admins (role "admin") may read it. */
export async function getModel(deps: Pick<ModelLifecycleDeps, 'models'>, caller: Principal): Promise<CurrentModel> {
  if (!hasRole(caller, 'platform-admin') && !hasRole(caller, 'admin')) {
    throw new PermissionDeniedError(`reading the authorization model needs the admin or platform-admin role; ${caller.subject} has neither`);
  }
  return (await deps.models.current()).model;
}

import { InvalidArgumentError } from '@assent/platform/domain';
import type { ProtectedActionRepository } from '../ports.js';
import type { ProtectedAction } from '../types.js';

/**
 * The registered action a question is about. An action nobody registered is a
 * bad question (INVALID_ARGUMENT naming `action`), not a missing thing to look
 * for: the caller named an action the tenant's registry does not know, the way
 * it would name a relation the model does not have.
 */
export async function requireAction(actions: ProtectedActionRepository, tenant: string, action: string): Promise<ProtectedAction> {
  const found = await actions.get(tenant, action);
  if (!found) throw InvalidArgumentError.field('action', `"${action}" is not a registered action in tenant "${tenant}" (see ListProtectedActions)`);
  return found;
}

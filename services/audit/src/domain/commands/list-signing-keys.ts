import type { PublicSigningKey } from '../key-ring.js';
import type { CheckpointDeps } from '../ports.js';

/** The public keys checkpoints verify with, current first. Public by design: any signed-in caller may list them. */
export function listSigningKeys(deps: Pick<CheckpointDeps, 'keys'>): PublicSigningKey[] {
  return deps.keys.list();
}

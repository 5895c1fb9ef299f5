import { CHECKPOINT_TYPE, checkpointHash, signedBytes, type Checkpoint, type UnsignedCheckpoint } from '@assent/platform/domain';
import type { KeyRing } from './key-ring.js';

// The checkpoint format and its signed bytes live in @assent/platform (audit/checkpoint-signing.ts)
// so `assentctl audit verify` checks exports offline with the service's own code.
export { CHECKPOINT_TYPE, checkpointHash, signedBytes };
export type { Checkpoint, UnsignedCheckpoint };

export function signCheckpoint(keys: KeyRing, cp: Omit<UnsignedCheckpoint, 'keyId'>): Checkpoint {
  const unsigned = { ...cp, keyId: keys.keyId };
  return { ...unsigned, signature: keys.sign(signedBytes(unsigned)) };
}

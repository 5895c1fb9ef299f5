import { randomBytes } from 'node:crypto';
import { monotonicUlids } from '@assent/platform';
import type { IdSource } from '../../domain/ports.js';

// Monotonic so ids created in the same millisecond still sort in creation order.
const nextUlid = monotonicUlids();

/** ULIDs for ids; 24 bytes from the CSPRNG for secrets (Standard Webhooks allows 24–64). */
export const cryptoIdSource: IdSource = {
  newId: () => nextUlid(),
  newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
};

import { Violations, assertTenantAccess, requireTenantExists, type Principal } from '@assent/platform/domain';
import { ChainVerifier } from '../chain-verifier.js';
import type { CheckpointDeps } from '../ports.js';
import type { ChainVerification } from '../types.js';

/**
 * Recomputes every hash in chain order and checks every checkpoint against the
 * record it covers (ChainVerifier). A record is invalid when its sequence is not the
 * next position (a record was removed or inserted), its prevHash is not the previous
 * record's hash (the chain was re-linked), its own hash does not match its content
 * (the record was edited), or it is not the record a checkpoint signed (the chain was
 * rewritten). Reports the first bad record and the first bad checkpoint. Records and
 * checkpoints are read as two streams in lockstep: neither is held whole.
 */
export async function verifyChain(deps: CheckpointDeps, caller: Principal, input: { tenant: string }): Promise<ChainVerification> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);

  const verifier = new ChainVerifier(input.tenant, deps.keys);
  const checkpoints = deps.checkpoints.all(input.tenant)[Symbol.asyncIterator]();
  try {
    let next = await checkpoints.next();
    let records = 0;
    for await (const record of deps.log.all(input.tenant)) {
      records++;
      verifier.record(record);
      // Checkpoints up to this position; one at this position covers this record.
      while (!next.done && next.value.sequence <= records) {
        verifier.checkpoint(next.value, next.value.sequence === records ? record : undefined);
        next = await checkpoints.next();
      }
    }
    // Checkpoints beyond the end cover records that are gone.
    for (; !next.done; next = await checkpoints.next()) verifier.checkpoint(next.value, undefined);
  } finally {
    await checkpoints.return?.();
  }
  return verifier.result();
}

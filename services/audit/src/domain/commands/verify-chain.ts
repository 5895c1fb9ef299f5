import { Violations, assertTenantAccess, requireTenantExists, type Principal } from '@assent/platform/domain';
import type { AuditDeps } from '../ports.js';
import { recordHash } from '../record-hash.js';
import type { ChainVerification } from '../types.js';

/**
 * Recomputes every hash in chain order. A record is invalid when its sequence is
 * not the next position (a record was removed or inserted), its prevHash is not
 * the previous record's hash (the chain was re-linked), or its own hash does not
 * match its content (the record was edited). Reports the first such record.
 */
export async function verifyChain(deps: AuditDeps, caller: Principal, input: { tenant: string }): Promise<ChainVerification> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);

  let records = 0;
  let prevHash = '';
  let firstInvalidSequence = 0;
  for await (const record of deps.log.all(input.tenant)) {
    records++;
    if (firstInvalidSequence === 0) {
      const { hash, ...content } = record;
      const fits = record.sequence === records && record.prevHash === prevHash && record.tenant === input.tenant && recordHash(content) === hash;
      if (!fits) firstInvalidSequence = records;
    }
    prevHash = record.hash;
  }
  return { valid: firstInvalidSequence === 0, records, headHash: prevHash, firstInvalidSequence };
}

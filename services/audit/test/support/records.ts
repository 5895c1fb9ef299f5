import { recordHash } from '../../src/domain/record-hash.js';
import type { AuditRecord, CanonicalFields } from '../../src/domain/types.js';

/** Canonical fields of a format-2 record, with the parts a test cares about overridden. */
export function canonical(overrides: Partial<Omit<CanonicalFields, 'actor'>> & { actor?: string } = {}): CanonicalFields {
  const { actor, ...rest } = overrides;
  return {
    actor: { type: 'user', id: actor ?? 'alice', ip: '', userAgent: '' },
    action: 'approval.request',
    target: { kind: 'request', id: '1' },
    outcome: 'success',
    reason: '',
    policyHash: '',
    payloadHash: '0'.repeat(64),
    traceId: '',
    requestId: '1',
    category: 'approval',
    details: {},
    ...rest,
  };
}

/** A sealed record that follows `prev` (or starts a chain), as recordEvent would build it. */
export function nextRecord(tenant: string, prev: AuditRecord | undefined, overrides: Partial<Omit<AuditRecord, 'hash' | 'sequence' | 'prevHash' | 'tenant'>> = {}): AuditRecord {
  const sequence = (prev?.sequence ?? 0) + 1;
  const unsealed = {
    tenant,
    sequence,
    eventId: `evt-${tenant}-${sequence}`,
    eventType: 'assent.approval.requested.v1',
    subject: `request/${sequence}`,
    actor: 'alice',
    occurredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, sequence)),
    recordedAt: new Date(Date.UTC(2030, 0, 1, 0, 1, sequence)),
    data: { request: { id: String(sequence), requester: 'alice' }, n: sequence },
    prevHash: prev?.hash ?? '',
    ...overrides,
  };
  return { ...unsealed, hash: recordHash(unsealed) };
}

/** Builds and appends `count` records, returning them in order. */
export async function appendChain(
  log: { append(r: AuditRecord[], expected: number): Promise<unknown> },
  tenant: string,
  count: number,
  overrides: (i: number) => Partial<Omit<AuditRecord, 'hash' | 'sequence' | 'prevHash' | 'tenant'>> = () => ({}),
): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = nextRecord(tenant, out.at(-1), overrides(i));
    await log.append([r], r.sequence - 1);
    out.push(r);
  }
  return out;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

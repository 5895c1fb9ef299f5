import type { AuditRecord, JsonValue } from '../../domain/types.js';

interface RecordJson {
  tenant: string;
  sequence: number;
  eventId: string;
  eventType: string;
  subject: string;
  actor: string;
  occurredAt: string;
  recordedAt: string;
  data: JsonValue;
  prevHash: string;
  hash: string;
}

export function encodeRecord(r: AuditRecord): string {
  const body: RecordJson = { ...r, occurredAt: r.occurredAt.toISOString(), recordedAt: r.recordedAt.toISOString() };
  return JSON.stringify(body);
}

export function decodeRecord(data: Uint8Array): AuditRecord {
  const body = JSON.parse(new TextDecoder().decode(data)) as RecordJson;
  return { ...body, occurredAt: new Date(body.occurredAt), recordedAt: new Date(body.recordedAt) };
}

/**
 * A message that is not a record (written to the subject by something other than
 * this service) decodes to a stand-in that VerifyChain reports as the break,
 * instead of failing the whole read.
 */
export function decodeOrStandIn(data: Uint8Array, tenant: string): AuditRecord {
  try {
    const record = decodeRecord(data);
    if (typeof record.sequence === 'number' && typeof record.hash === 'string' && !Number.isNaN(record.occurredAt.getTime())) return record;
  } catch {
    // fall through to the stand-in
  }
  const epoch = new Date(0);
  return { tenant, sequence: 0, eventId: '', eventType: '', subject: '', actor: '', occurredAt: epoch, recordedAt: epoch, data: null, prevHash: '', hash: '' };
}

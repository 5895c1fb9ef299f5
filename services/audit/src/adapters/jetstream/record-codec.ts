import type { AuditRecord, CanonicalFields, JsonValue } from '../../domain/types.js';

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
  /** Absent on records written before formats existed (format 1). */
  format?: number;
  canonical?: CanonicalFields;
}

/** One stream message holds a block of consecutive records, appended in one compare-and-set. */
interface BlockJson {
  records: RecordJson[];
}

const toJson = (r: AuditRecord): RecordJson => ({ ...r, occurredAt: r.occurredAt.toISOString(), recordedAt: r.recordedAt.toISOString() });
const fromJson = (body: RecordJson): AuditRecord => ({ ...body, occurredAt: new Date(body.occurredAt), recordedAt: new Date(body.recordedAt) });

export function encodeBlock(records: AuditRecord[]): string {
  const body: BlockJson = { records: records.map(toJson) };
  return JSON.stringify(body);
}

/** The records of a message: a block, or a single record as earlier versions wrote them. */
export function decodeRecords(data: Uint8Array): AuditRecord[] {
  const body = JSON.parse(new TextDecoder().decode(data)) as RecordJson | BlockJson;
  if ('records' in body && Array.isArray(body.records)) return body.records.map(fromJson);
  return [fromJson(body as RecordJson)];
}

const wellFormed = (r: AuditRecord) => typeof r.sequence === 'number' && typeof r.hash === 'string' && !Number.isNaN(r.occurredAt.getTime());

/**
 * A message that is not a record or block (written to the subject by something other
 * than this service) decodes to one stand-in that VerifyChain reports as the break,
 * instead of failing the whole read.
 */
export function decodeOrStandIn(data: Uint8Array, tenant: string): AuditRecord[] {
  try {
    const records = decodeRecords(data);
    if (records.length > 0 && records.every(wellFormed)) return records;
  } catch {
    // fall through to the stand-in
  }
  const epoch = new Date(0);
  return [{ tenant, sequence: 0, eventId: '', eventType: '', subject: '', actor: '', occurredAt: epoch, recordedAt: epoch, data: null, prevHash: '', hash: '' }];
}

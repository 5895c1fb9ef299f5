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
  return encodeBlockWithSpans(records).body;
}

/** Where one record's JSON lies in a block's UTF-8 bytes: [start, length]. */
export type RecordSpan = [start: number, length: number];

const PREFIX = '{"records":[';

/**
 * The block as encodeBlock writes it (the same bytes as JSON.stringify of the block),
 * and where each record's JSON lies in it, so a reader can parse one record of a
 * large block (the query path) instead of the whole block.
 */
export function encodeBlockWithSpans(records: AuditRecord[]): { body: string; spans: RecordSpan[] } {
  const parts = records.map((r) => JSON.stringify(toJson(r)));
  const spans: RecordSpan[] = [];
  let at = Buffer.byteLength(PREFIX);
  for (const part of parts) {
    const length = Buffer.byteLength(part);
    spans.push([at, length]);
    at += length + 1;
  }
  return { body: `${PREFIX}${parts.join(',')}]}`, spans };
}

/**
 * The record at `span` of a stored block, if it is well formed and at `sequence`;
 * undefined otherwise (the caller decodes the whole message instead).
 */
export function decodeRecordAt(data: Uint8Array, span: RecordSpan, sequence: number): AuditRecord | undefined {
  const [start, length] = span;
  if (start < 0 || length <= 0 || start + length > data.length) return undefined;
  try {
    const record = fromJson(JSON.parse(new TextDecoder().decode(data.subarray(start, start + length))) as RecordJson);
    return wellFormed(record) && record.sequence === sequence ? record : undefined;
  } catch {
    return undefined;
  }
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

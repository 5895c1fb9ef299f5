import type { Checkpoint } from './checkpoint-signing.js';
import type { HashedRecord } from './record-hash.js';
import type { PublicSigningKey } from './verification-keys.js';

/**
 * The NDJSON audit export (EXPORT_FORMAT_NDJSON): one JSON object per line, what
 * `assentctl audit verify --file` needs to check it offline.
 *
 *   {"kind":"header", "type":"assent.audit.export.v1", tenant, exportId, ...}
 *   {"kind":"key", keyId, jwk, validFrom?, validUntil?, current}       (0..n)
 *   {"kind":"record", "record":{...every stored field, hash, prevHash}} (in chain order)
 *   {"kind":"checkpoint", "checkpoint":{...}}    right after the record it covers
 *   {"kind":"end", records, checkpoints}
 *
 * Records carry every stored field as JSON (timestamps as RFC 3339), so a record
 * format change reaches the export with no change here.
 */
export const EXPORT_TYPE = 'assent.audit.export.v1';

export interface ExportHeader {
  kind: 'header';
  type: typeof EXPORT_TYPE;
  tenant: string;
  exportId: string;
  createdAt: string;
  /**
   * True when no event type or subject filter applies: the records are a contiguous
   * range of the chain, so every link and every checkpoint in it can be checked.
   */
  contiguous: boolean;
  filters: { eventType?: string; subject?: string; recordedAfter?: string; recordedBefore?: string };
  /** The chain's head when the export started, covered by a checkpoint. */
  throughSequence: number;
}

export interface ExportedRecord extends HashedRecord {
  hash: string;
}

export type ExportLine =
  | ExportHeader
  | { kind: 'key'; keyId: string; jwk: unknown; validFrom?: string; validUntil?: string; current: boolean }
  | { kind: 'record'; record: ExportedRecord }
  | { kind: 'checkpoint'; checkpoint: Checkpoint }
  | { kind: 'end'; records: number; checkpoints: number };

/** JSON.stringify turns Dates into RFC 3339 UTC with milliseconds, the form the hashes cover. */
export const exportLine = (line: ExportLine): string => `${JSON.stringify(line)}\n`;

export const keyLine = (k: PublicSigningKey): ExportLine => ({
  kind: 'key',
  keyId: k.keyId,
  jwk: k.jwk,
  ...(k.validFrom ? { validFrom: k.validFrom.toISOString() } : {}),
  ...(k.validUntil ? { validUntil: k.validUntil.toISOString() } : {}),
  current: k.current,
});

function date(value: unknown, what: string): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`${what} is not an RFC 3339 time`);
  return d;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Parses one line of an export; throws an Error saying what is wrong with it. */
export function parseExportLine(text: string): ExportLine {
  let body: Record<string, unknown>;
  try {
    body = object(JSON.parse(text), 'the line');
  } catch (err) {
    throw new Error(err instanceof SyntaxError ? 'the line is not JSON' : (err as Error).message, { cause: err });
  }
  switch (body['kind']) {
    case 'header':
      if (body['type'] !== EXPORT_TYPE) throw new Error(`the header is not of type ${EXPORT_TYPE}`);
      return body as unknown as ExportHeader;
    case 'key':
      return body as unknown as ExportLine;
    case 'record': {
      const r = object(body['record'], 'record');
      if (typeof r['sequence'] !== 'number' || typeof r['hash'] !== 'string' || typeof r['prevHash'] !== 'string') throw new Error('the record has no sequence, hash or prevHash');
      const record = { ...r, occurredAt: date(r['occurredAt'], 'occurredAt'), recordedAt: date(r['recordedAt'], 'recordedAt') } as unknown as ExportedRecord;
      return { kind: 'record', record };
    }
    case 'checkpoint': {
      const c = object(body['checkpoint'], 'checkpoint');
      return { kind: 'checkpoint', checkpoint: { ...c, time: date(c['time'], 'checkpoint time') } as unknown as Checkpoint };
    }
    case 'end':
      return body as unknown as ExportLine;
    default:
      throw new Error(`"${String(body['kind'])}" is not a kind of export line`);
  }
}

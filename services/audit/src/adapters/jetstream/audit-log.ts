import { ConflictError, type Nats, type Names } from '@assent/platform';
import type { AppendResult, AuditLog } from '../../domain/ports.js';
import { matchesFilters } from '../../domain/record-filters.js';
import type { AuditRecord, Cursor, RecordFilters, RecordPage } from '../../domain/types.js';
import type { IndexEntry, RedisEventIndex } from '../redis/event-index.js';
import { auditSubject, ensureAuditStream } from './audit-stream.js';
import { decodeOrStandIn, decodeRecord, encodeRecord } from './record-codec.js';
import { readSubject } from './read-subject.js';

const WRONG_SEQ = /wrong last sequence|10071/i;
const HEAD_CACHE_LIMIT = 10_000;

interface KnownHead {
  sequence: number;
  streamSeq: number;
}

/**
 * Each tenant's chain is the subject <root>.audit.<tenant> of the <ROOT>_AUDIT
 * stream, one message per record. Appends are a compare-and-set on the subject's
 * last stream sequence (Nats-Expected-Last-Subject-Sequence), with Nats-Msg-Id
 * "<tenant>:<eventId>" as a second guard inside the dedupe window. Beyond that
 * window, hasEvent answers from a Redis index that catches up from the stream
 * before it says "no". A cursor is a stream sequence.
 */
export class JetStreamAuditLog implements AuditLog {
  /** Stream sequence of heads this instance has seen, so appends skip a re-read. */
  private readonly heads = new Map<string, KnownHead>();

  private constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    private readonly index: RedisEventIndex,
    readonly stream: string,
    private readonly onIndexError: (err: unknown) => void,
  ) {}

  static async open(nats: Nats, n: Names, index: RedisEventIndex, onIndexError: (err: unknown) => void = () => undefined): Promise<JetStreamAuditLog> {
    return new JetStreamAuditLog(nats, n, index, await ensureAuditStream(nats, n), onIndexError);
  }

  private remember(tenant: string, head: KnownHead): void {
    this.heads.delete(tenant);
    if (this.heads.size >= HEAD_CACHE_LIMIT) this.heads.delete(this.heads.keys().next().value as string);
    this.heads.set(tenant, head);
  }

  private async last(tenant: string): Promise<{ record: AuditRecord; streamSeq: number } | undefined> {
    const msg = await this.nats.jsm.streams.getMessage(this.stream, { last_by_subj: auditSubject(this.n, tenant) });
    if (!msg) return undefined;
    const record = decodeRecord(msg.data);
    this.remember(tenant, { sequence: record.sequence, streamSeq: msg.seq });
    return { record, streamSeq: msg.seq };
  }

  async head(tenant: string): Promise<AuditRecord | undefined> {
    return (await this.last(tenant))?.record;
  }

  /** Stream sequence of the head the caller expects; ConflictError if the chain has moved on. */
  private async expectedStreamSeq(tenant: string, expectedHeadSequence: number): Promise<number> {
    if (expectedHeadSequence === 0) return 0;
    const known = this.heads.get(tenant);
    // A stale cache entry is harmless: the server rejects the publish.
    if (known?.sequence === expectedHeadSequence) return known.streamSeq;
    const head = await this.last(tenant);
    if (head?.record.sequence !== expectedHeadSequence) {
      throw new ConflictError(`audit chain of "${tenant}" is at ${head?.record.sequence ?? 0}, not ${expectedHeadSequence}`);
    }
    return head.streamSeq;
  }

  async append(record: AuditRecord, expectedHeadSequence: number): Promise<AppendResult> {
    if (record.sequence !== expectedHeadSequence + 1) throw new Error(`record sequence ${record.sequence} does not follow ${expectedHeadSequence}`);
    const prev = await this.expectedStreamSeq(record.tenant, expectedHeadSequence);
    let ack;
    try {
      ack = await this.nats.js.publish(auditSubject(this.n, record.tenant), encodeRecord(record), {
        msgID: `${record.tenant}:${record.eventId}`,
        expect: { lastSubjectSequence: prev },
      });
    } catch (err) {
      if (WRONG_SEQ.test((err as Error).message)) {
        this.heads.delete(record.tenant);
        throw new ConflictError(`audit chain of "${record.tenant}" moved past ${expectedHeadSequence}`);
      }
      throw err;
    }
    if (ack.duplicate) return { duplicate: true };
    this.remember(record.tenant, { sequence: record.sequence, streamSeq: ack.seq });
    try {
      await this.index.add(record.tenant, [{ eventId: record.eventId, sequence: record.sequence }], prev, ack.seq);
    } catch (err) {
      // The record is written; the index is a projection that catch-up repairs.
      this.onIndexError(err);
    }
    return { duplicate: false };
  }

  async hasEvent(tenant: string, eventId: string): Promise<boolean> {
    if (await this.index.has(tenant, eventId)) return true;
    await this.catchUp(tenant);
    return this.index.has(tenant, eventId);
  }

  /** Indexes every record between the index watermark and the current head. */
  private async catchUp(tenant: string): Promise<void> {
    let through = await this.index.indexedThrough(tenant);
    const head = await this.last(tenant);
    if (!head || head.streamSeq <= through) return;
    let batch: IndexEntry[] = [];
    let from = through;
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), through + 1)) {
      const record = decodeOrStandIn(msg.data, tenant);
      if (record.eventId) batch.push({ eventId: record.eventId, sequence: record.sequence });
      through = msg.seq;
      if (batch.length >= 256) {
        await this.index.add(tenant, batch, from, through);
        [batch, from] = [[], through];
      }
    }
    await this.index.add(tenant, batch, from, through);
  }

  async list(tenant: string, after: Cursor, limit: number, filters: RecordFilters): Promise<RecordPage> {
    const found: AuditRecord[] = [];
    let last = after;
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), after + 1)) {
      const record = decodeOrStandIn(msg.data, tenant);
      if (!matchesFilters(record, filters)) continue;
      // A match beyond the page means another page exists.
      if (found.length === limit) return { records: found, next: last };
      found.push(record);
      last = msg.seq;
    }
    return { records: found, next: undefined };
  }

  async *all(tenant: string): AsyncIterable<AuditRecord> {
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), 1)) {
      yield decodeOrStandIn(msg.data, tenant);
    }
  }
}

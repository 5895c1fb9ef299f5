import { ConflictError, type Nats, type Names } from '@assent/platform';
import type { AppendResult, AuditLog } from '../../domain/ports.js';
import { canonicalView } from '../../domain/canonical-view.js';
import { activeFilters, filterValues, queryKeyOf } from '../../domain/query-order.js';
import { matchesFilters } from '../../domain/record-filters.js';
import type { AuditRecord, Cursor, QueryPage, QueryPosition, RecordFilters, RecordPage, RecordQuery } from '../../domain/types.js';
import type { IndexEntry, RedisEventIndex } from '../redis/event-index.js';
import { RedisQueryIndex, type QueryIndexEntry } from '../redis/query-index.js';
import { auditSubject, ensureAuditStream } from './audit-stream.js';
import { decodeOrStandIn, decodeRecordAt, encodeBlockWithSpans, type RecordSpan } from './record-codec.js';
import { readSubject } from './read-subject.js';

const WRONG_SEQ = /wrong last sequence|10071/i;
const HEAD_CACHE_LIMIT = 10_000;
/** Records per message at most; a cursor is streamSeq * BLOCK + index within the message. */
export const BLOCK = 1024;

interface KnownHead {
  record: AuditRecord;
  streamSeq: number;
}

const position = (streamSeq: number, index: number): Cursor => streamSeq * BLOCK + index;

/**
 * How the query index finds a record: "<stream seq>.<index in block>", plus
 * ".<start>.<length>" of its bytes in the block when known, so a query parses that
 * record alone rather than a block of up to 1,024.
 */
function queryEntries(records: AuditRecord[], streamSeq: number, spans?: RecordSpan[]): QueryIndexEntry[] {
  return records.map((r, i) => {
    const c = canonicalView(r);
    const span = spans?.[i];
    return { key: queryKeyOf(r), at: `${streamSeq}.${i}${span ? `.${span[0]}.${span[1]}` : ''}`, values: c && filterValues(c) };
  });
}

/** The spans of a stored block's records when its bytes are what this version writes (else none: readers decode the block). */
function spansOf(data: Uint8Array, records: AuditRecord[]): RecordSpan[] | undefined {
  const { body, spans } = encodeBlockWithSpans(records);
  return Buffer.byteLength(body) === data.length && Buffer.from(body).equals(data) ? spans : undefined;
}

/**
 * Each tenant's chain is the subject <root>.audit.<tenant> of the <ROOT>_AUDIT
 * stream. A message holds a block of consecutive records written by one append, a
 * compare-and-set on the subject's last stream sequence
 * (Nats-Expected-Last-Subject-Sequence), with Nats-Msg-Id "<tenant>:<first eventId>"
 * as a second guard inside the dedupe window. The writer keeps each tenant's head
 * (record and stream sequence) in memory, so an append costs one publish and one
 * index update; a stale head only costs a rejected publish. Beyond the dedupe window,
 * knownEvents answers from a Redis index that catches up from the stream before it
 * says "no". A cursor is a record's position: streamSeq * BLOCK + index in its block.
 */
export class JetStreamAuditLog implements AuditLog {
  private readonly heads = new Map<string, KnownHead>();
  /** Stream sequence through which this instance knows the tenant's index is complete. */
  private readonly indexed = new Map<string, number>();

  private constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    private readonly index: RedisEventIndex,
    readonly stream: string,
    private readonly onIndexError: (err: unknown) => void,
    private readonly queries: RedisQueryIndex,
  ) {}

  static async open(nats: Nats, n: Names, index: RedisEventIndex, onIndexError: (err: unknown) => void = () => undefined, queries = new RedisQueryIndex(index.client)): Promise<JetStreamAuditLog> {
    return new JetStreamAuditLog(nats, n, index, await ensureAuditStream(nats, n), onIndexError, queries);
  }

  private remember(tenant: string, head: KnownHead): void {
    this.heads.delete(tenant);
    if (this.heads.size >= HEAD_CACHE_LIMIT) this.heads.delete(this.heads.keys().next().value as string);
    this.heads.set(tenant, head);
  }

  private forget(tenant: string): void {
    this.heads.delete(tenant);
    this.indexed.delete(tenant);
  }

  private async last(tenant: string): Promise<KnownHead | undefined> {
    const msg = await this.nats.jsm.streams.getMessage(this.stream, { last_by_subj: auditSubject(this.n, tenant) });
    if (!msg) return undefined;
    const record = decodeOrStandIn(msg.data, tenant).at(-1) as AuditRecord;
    const head = { record, streamSeq: msg.seq };
    this.remember(tenant, head);
    return head;
  }

  async head(tenant: string): Promise<AuditRecord | undefined> {
    return (this.heads.get(tenant) ?? (await this.last(tenant)))?.record;
  }

  /** Stream sequence of the head the caller expects; ConflictError if the chain has moved on. */
  private async expectedStreamSeq(tenant: string, expectedHeadSequence: number): Promise<number> {
    if (expectedHeadSequence === 0) return 0;
    const known = this.heads.get(tenant);
    // A stale cache entry is harmless: the server rejects the publish.
    if (known?.record.sequence === expectedHeadSequence) return known.streamSeq;
    const head = await this.last(tenant);
    if (head?.record.sequence !== expectedHeadSequence) {
      throw new ConflictError(`audit chain of "${tenant}" is at ${head?.record.sequence ?? 0}, not ${expectedHeadSequence}`);
    }
    return head.streamSeq;
  }

  async append(records: AuditRecord[], expectedHeadSequence: number): Promise<AppendResult> {
    const first = records[0];
    const lastRecord = records.at(-1);
    if (!first || !lastRecord) return { duplicate: false };
    if (records.length > BLOCK) throw new Error(`at most ${BLOCK} records per append`);
    records.forEach((r, i) => {
      if (r.sequence !== expectedHeadSequence + 1 + i) throw new Error(`record sequence ${r.sequence} does not follow ${expectedHeadSequence + i}`);
      if (r.tenant !== first.tenant) throw new Error('records of several tenants in one append');
    });
    const tenant = first.tenant;
    const prev = await this.expectedStreamSeq(tenant, expectedHeadSequence);
    const block = encodeBlockWithSpans(records);
    let ack;
    try {
      ack = await this.nats.js.publish(auditSubject(this.n, tenant), block.body, {
        msgID: `${tenant}:${first.eventId}`,
        expect: { lastSubjectSequence: prev },
      });
    } catch (err) {
      if (WRONG_SEQ.test((err as Error).message)) {
        this.forget(tenant);
        throw new ConflictError(`audit chain of "${tenant}" moved past ${expectedHeadSequence}`);
      }
      throw err;
    }
    if (ack.duplicate) {
      this.forget(tenant);
      return { duplicate: true };
    }
    this.remember(tenant, { record: lastRecord, streamSeq: ack.seq });
    try {
      const moved = await this.index.add(
        tenant,
        records.map((r) => ({ eventId: r.eventId, sequence: r.sequence })),
        prev,
        ack.seq,
      );
      if (moved) this.indexed.set(tenant, ack.seq);
      else this.indexed.delete(tenant);
    } catch (err) {
      // The records are written; the index is a projection that catch-up repairs.
      this.indexed.delete(tenant);
      this.onIndexError(err);
    }
    try {
      await this.queries.add(tenant, queryEntries(records, ack.seq, block.spans), prev, ack.seq);
    } catch (err) {
      this.onIndexError(err);
    }
    return { duplicate: false };
  }

  async hasEvent(tenant: string, eventId: string): Promise<boolean> {
    return (await this.knownEvents(tenant, [eventId])).has(eventId);
  }

  async knownEvents(tenant: string, eventIds: string[]): Promise<Set<string>> {
    const head = this.heads.get(tenant) ?? (await this.last(tenant));
    if (!head) return new Set();
    // The index must cover the chain up to the head before "not indexed" means "not recorded".
    if ((this.indexed.get(tenant) ?? 0) < head.streamSeq) {
      await this.catchUp(tenant, head.streamSeq);
      this.indexed.set(tenant, head.streamSeq);
    }
    return this.index.known(tenant, eventIds);
  }

  /** Indexes every record between the index watermark and `through`. */
  private async catchUp(tenant: string, headSeq: number): Promise<void> {
    let through = await this.index.indexedThrough(tenant);
    if (headSeq <= through) return;
    let batch: IndexEntry[] = [];
    let from = through;
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), through + 1)) {
      for (const record of decodeOrStandIn(msg.data, tenant)) {
        if (record.eventId) batch.push({ eventId: record.eventId, sequence: record.sequence });
      }
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
    const fromSeq = Math.max(1, Math.floor(after / BLOCK));
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), fromSeq)) {
      const records = decodeOrStandIn(msg.data, tenant);
      for (let i = 0; i < records.length; i++) {
        const at = position(msg.seq, i);
        const record = records[i] as AuditRecord;
        if (at <= after || !matchesFilters(record, filters)) continue;
        // A match beyond the page means another page exists.
        if (found.length === limit) return { records: found, next: last };
        found.push(record);
        last = at;
      }
    }
    return { records: found, next: undefined };
  }

  /**
   * From the query index (adapters/redis/query-index.ts), brought up to the chain's
   * current head first (normally already there: appends index as they write; the
   * watermark is read from Redis every time, so a Redis that lost the index is
   * rebuilt, not trusted), then one direct get per block the page's records are in,
   * parsing only each record's bytes (its span) where the index has them.
   */
  async query(tenant: string, query: RecordQuery, position: QueryPosition, limit: number): Promise<QueryPage> {
    const head = await this.last(tenant);
    if (!head) return { records: [], more: false };
    await this.catchUpQueries(tenant, head.streamSeq);
    const { found, more } = await this.queries.range(tenant, activeFilters(query), { since: query.since, until: query.until, after: position.after, before: position.before }, limit);
    const blocks = new Map<number, Promise<Uint8Array | undefined>>();
    const records = await Promise.all(
      found.map(async ({ key, at }) => {
        const [streamSeq = 0, index = 0, start, length] = at.split('.').map(Number);
        let block = blocks.get(streamSeq);
        if (!block) {
          block = this.nats.jsm.direct.getMessage(this.stream, { seq: streamSeq }).then((m) => (m && m.subject === auditSubject(this.n, tenant) ? m.data : undefined));
          blocks.set(streamSeq, block);
        }
        const data = await block;
        const record = data && ((start !== undefined && length !== undefined ? decodeRecordAt(data, [start, length], key.sequence) : undefined) ?? decodeOrStandIn(data, tenant)[index]);
        if (!record) throw new Error(`audit query index of "${tenant}" points at ${at}, which holds no record`);
        return record;
      }),
    );
    return { records, more };
  }

  /** Indexes for queries every record between the query index's watermark and `headSeq`. */
  private async catchUpQueries(tenant: string, headSeq: number): Promise<void> {
    let through = await this.queries.indexedThrough(tenant);
    if (headSeq <= through) return;
    let batch: QueryIndexEntry[] = [];
    let from = through;
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), through + 1)) {
      const records = decodeOrStandIn(msg.data, tenant);
      batch.push(...queryEntries(records, msg.seq, spansOf(msg.data, records)));
      through = msg.seq;
      if (batch.length >= 1024) {
        await this.queries.add(tenant, batch, from, through);
        [batch, from] = [[], through];
      }
    }
    await this.queries.add(tenant, batch, from, through);
  }

  async *all(tenant: string): AsyncIterable<AuditRecord> {
    for await (const msg of readSubject(this.nats, this.stream, auditSubject(this.n, tenant), 1)) {
      yield* decodeOrStandIn(msg.data, tenant);
    }
  }
}

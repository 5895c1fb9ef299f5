import { describe, expect, it } from 'vitest';
import { ConflictError } from '@assent/platform/domain';
import type { AuditLog } from '../../src/domain/ports.js';
import type { AuditRecord, QueryKey, RecordPage, RecordQuery } from '../../src/domain/types.js';
import { appendChain, canonical, collect, nextRecord } from '../support/records.js';

async function pages(log: AuditLog, tenant: string, limit: number, filters = {}): Promise<AuditRecord[][]> {
  const out: AuditRecord[][] = [];
  let page: RecordPage = { records: [], next: 0 };
  while (page.next !== undefined) {
    page = await log.list(tenant, page.next, limit, filters);
    out.push(page.records);
  }
  return out;
}

const seqs = (records: AuditRecord[]) => records.map((r) => r.sequence);
const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second));
const window = (q: Partial<RecordQuery> = {}): RecordQuery => ({ since: at(0), until: at(3600), ...q });
const keyOf = (r: AuditRecord): QueryKey => ({ time: r.occurredAt.getTime(), sequence: r.sequence });

/**
 * Ten records: 1-2 written before record formats (derived fields), 3-10 format 2.
 * Times are not in chain order (5 happened before 4) and 7 and 8 share one.
 */
async function queryChain(log: AuditLog, t: string): Promise<AuditRecord[]> {
  const people = ['alice', 'bob', 'carol', 'bob', 'bob', 'carol', 'bob', 'bob'];
  const seconds = [10, 20, 30, 50, 40, 60, 70, 70, 80, 90];
  return appendChain(log, t, 10, (i) => ({
    occurredAt: at(seconds[i] ?? 0),
    ...(i < 2
      ? {}
      : {
          format: 2,
          canonical: canonical({
            actor: people[i - 2],
            action: i % 2 === 0 ? 'approval.vote' : 'policy.apply',
            outcome: i === 4 || i === 7 ? 'denied' : 'success',
            category: i % 2 === 0 ? 'approval' : 'governance',
            target: { kind: 'request', id: `r${i % 3}` },
          }),
        }),
  }));
}

/** One contract for every AuditLog: the JetStream adapter and its in-memory twin. */
export function auditLogContract(name: string, make: () => Promise<AuditLog>, tenantOf: () => string): void {
  describe(`AuditLog contract: ${name}`, () => {
    it('starts every tenant with an empty chain', async () => {
      const log = await make();
      const t = tenantOf();
      expect(await log.head(t)).toBeUndefined();
      expect(await log.hasEvent(t, 'evt-1')).toBe(false);
      expect(await log.list(t, 0, 10, {})).toEqual({ records: [], next: undefined });
      expect(await collect(log.all(t))).toEqual([]);
    });

    it('appends records in order and returns them exactly as written', async () => {
      const log = await make();
      const t = tenantOf();
      const written = await appendChain(log, t, 3);
      expect(await log.head(t)).toEqual(written[2]);
      expect(await collect(log.all(t))).toEqual(written);
      expect(await log.hasEvent(t, written[1]!.eventId)).toBe(true);
    });

    it('keeps records of both formats as written: older ones without canonical fields, newer ones with', async () => {
      const log = await make();
      const t = tenantOf();
      const written = await appendChain(log, t, 4, (i) => (i < 2 ? {} : { format: 2, canonical: canonical({ actor: `user-${i}`, details: { n: i, nested: { ok: true } } }) }));
      const stored = await collect(log.all(t));
      expect(stored).toEqual(written);
      expect(stored.map((r) => r.format)).toEqual([undefined, undefined, 2, 2]);
      expect(Object.keys(stored[0]!)).not.toContain('canonical');
    });

    it('queries in time order, then chain position, within the window [since, until)', async () => {
      const log = await make();
      const t = tenantOf();
      await queryChain(log, t);
      expect(seqs((await log.query(t, window(), {}, 50)).records)).toEqual([1, 2, 3, 5, 4, 6, 7, 8, 9, 10]);
      expect(await log.query(t, window({ since: at(40), until: at(80) }), {}, 50)).toMatchObject({ more: false });
      expect(seqs((await log.query(t, window({ since: at(40), until: at(80) }), {}, 50)).records)).toEqual([5, 4, 6, 7, 8]);
      expect(await log.query(t, window({ since: at(91), until: at(100) }), {}, 50)).toEqual({ records: [], more: false });
      expect(await log.query(tenantOf(), window(), {}, 50)).toEqual({ records: [], more: false });
    });

    it('filters on actor, action, target, outcome and category, alone and together, old records by their derived fields', async () => {
      const log = await make();
      const t = tenantOf();
      const written = await queryChain(log, t);
      const q = async (filters: Partial<RecordQuery>) => seqs((await log.query(t, window(filters), {}, 50)).records);
      expect(await q({ actor: 'bob' })).toEqual([4, 6, 7, 9, 10]);
      // Carol's denied records, in time order (5 happened before 8).
      expect(await q({ actor: 'carol', outcome: 'denied' })).toEqual([5, 8]);
      expect(written[4]!.occurredAt < written[7]!.occurredAt).toBe(true);
      expect(await q({ action: 'policy.apply', category: 'governance' })).toEqual([4, 6, 8, 10]);
      expect(await q({ target: 'request/r0', action: 'approval.vote' })).toEqual([7]);
      expect(await q({ actor: 'alice' })).toEqual([1, 2, 3]);
      expect(await q({ action: 'approval.request', target: 'request/2' })).toEqual([2]);
      expect(await q({ actor: 'nobody' })).toEqual([]);
      expect(await q({ actor: 'bob', outcome: 'denied', category: 'approval' })).toEqual([]);
    });

    it('pages forwards and backwards by position, saying when more records match that way', async () => {
      const log = await make();
      const t = tenantOf();
      await queryChain(log, t);
      const first = await log.query(t, window(), {}, 4);
      expect({ seqs: seqs(first.records), more: first.more }).toEqual({ seqs: [1, 2, 3, 5], more: true });
      const second = await log.query(t, window(), { after: keyOf(first.records.at(-1)!) }, 4);
      expect({ seqs: seqs(second.records), more: second.more }).toEqual({ seqs: [4, 6, 7, 8], more: true });
      const third = await log.query(t, window(), { after: keyOf(second.records.at(-1)!) }, 4);
      expect({ seqs: seqs(third.records), more: third.more }).toEqual({ seqs: [9, 10], more: false });
      const back = await log.query(t, window(), { before: keyOf(third.records[0]!) }, 4);
      expect({ seqs: seqs(back.records), more: back.more }).toEqual({ seqs: [4, 6, 7, 8], more: true });
      const backAgain = await log.query(t, window(), { before: keyOf(back.records[0]!) }, 4);
      expect({ seqs: seqs(backAgain.records), more: backAgain.more }).toEqual({ seqs: [1, 2, 3, 5], more: false });
      // Between two records of the same time, by chain position.
      const tied = await log.query(t, window(), { after: keyOf(back.records[2]!) }, 1);
      expect(seqs(tied.records)).toEqual([8]);
    });

    it('rejects an append against a stale head and leaves the chain unchanged', async () => {
      const log = await make();
      const t = tenantOf();
      const [first] = await appendChain(log, t, 1);
      const a = nextRecord(t, first, { eventId: 'racer-a' });
      const b = nextRecord(t, first, { eventId: 'racer-b' });
      expect(await log.append([a], 1)).toEqual({ duplicate: false });
      await expect(log.append([b], 1)).rejects.toBeInstanceOf(ConflictError);
      // A writer that never saw the first record is stale too.
      await expect(log.append([nextRecord(t, undefined, { eventId: 'racer-c' })], 0)).rejects.toBeInstanceOf(ConflictError);
      expect(seqs(await collect(log.all(t)))).toEqual([1, 2]);
      expect((await log.head(t))?.eventId).toBe('racer-a');
      expect(await log.hasEvent(t, 'racer-b')).toBe(false);
    });

    it('treats a re-sent event id as a duplicate, not a second record', async () => {
      const log = await make();
      const t = tenantOf();
      const [first] = await appendChain(log, t, 1);
      const again = nextRecord(t, first, { eventId: first!.eventId });
      expect(await log.append([again], 1)).toEqual({ duplicate: true });
      expect(seqs(await collect(log.all(t)))).toEqual([1]);
    });

    it('appends a batch as consecutive records, all or nothing', async () => {
      const log = await make();
      const t = tenantOf();
      const [first] = await appendChain(log, t, 1);
      const second = nextRecord(t, first);
      const third = nextRecord(t, second);
      expect(await log.append([second, third], 1)).toEqual({ duplicate: false });
      expect(seqs(await collect(log.all(t)))).toEqual([1, 2, 3]);
      expect(await log.knownEvents(t, [first!.eventId, third.eventId, 'never'])).toEqual(new Set([first!.eventId, third.eventId]));
      // A stale batch writes none of its records.
      const lateA = nextRecord(t, second, { eventId: 'late-a' });
      await expect(log.append([lateA, nextRecord(t, lateA, { eventId: 'late-b' })], 2)).rejects.toBeInstanceOf(ConflictError);
      expect(await log.knownEvents(t, ['late-a', 'late-b'])).toEqual(new Set());
      expect(seqs(await collect(log.all(t)))).toEqual([1, 2, 3]);
      expect((await pages(log, t, 2)).map(seqs)).toEqual([[1, 2], [3]]);
    });

    it('pages inside and across batches', async () => {
      const log = await make();
      const t = tenantOf();
      const batch = [nextRecord(t, undefined)];
      for (let i = 0; i < 6; i++) batch.push(nextRecord(t, batch.at(-1)));
      await log.append(batch.slice(0, 4), 0);
      await log.append(batch.slice(4), 4);
      expect((await pages(log, t, 3)).map(seqs)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
      expect((await pages(log, t, 2, { subject: 'request/5' })).map(seqs)).toEqual([[5]]);
    });

    it('keeps tenants apart', async () => {
      const log = await make();
      const [a, b] = [tenantOf(), tenantOf()];
      const inA = await appendChain(log, a, 2);
      await appendChain(log, b, 1, () => ({ eventId: inA[0]!.eventId }));
      expect(seqs(await collect(log.all(a)))).toEqual([1, 2]);
      expect((await collect(log.all(b))).map((r) => r.tenant)).toEqual([b]);
      expect(await log.hasEvent(b, inA[1]!.eventId)).toBe(false);
      expect((await log.list(b, 0, 10, {})).records).toHaveLength(1);
    });

    it('pages through the chain oldest first and says when it is done', async () => {
      const log = await make();
      const t = tenantOf();
      await appendChain(log, t, 5);
      expect((await pages(log, t, 2)).map(seqs)).toEqual([[1, 2], [3, 4], [5]]);
      expect((await pages(log, t, 5)).map(seqs)).toEqual([[1, 2, 3, 4, 5]]);
      expect((await pages(log, t, 500)).map(seqs)).toEqual([[1, 2, 3, 4, 5]]);
    });

    it('filters by event type and subject across pages without an empty last page', async () => {
      const log = await make();
      const t = tenantOf();
      const types = ['assent.approval.requested.v1', 'assent.authz.checked.v1'];
      await appendChain(log, t, 7, (i) => ({ eventType: types[i % 2]!, subject: i < 4 ? 'request/a' : 'request/b' }));
      expect((await pages(log, t, 2, { eventType: types[1] })).map(seqs)).toEqual([[2, 4], [6]]);
      expect((await pages(log, t, 3, { eventType: types[0] })).map(seqs)).toEqual([[1, 3, 5], [7]]);
      expect((await pages(log, t, 2, { subject: 'request/b' })).map(seqs)).toEqual([[5, 6], [7]]);
      expect((await pages(log, t, 10, { eventType: types[0], subject: 'request/a' })).map(seqs)).toEqual([[1, 3]]);
      expect((await pages(log, t, 10, { subject: 'request/none' })).map(seqs)).toEqual([[]]);
    });
  });
}

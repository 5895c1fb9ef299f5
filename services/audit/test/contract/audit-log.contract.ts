import { describe, expect, it } from 'vitest';
import { ConflictError } from '@assent/platform/domain';
import type { AuditLog } from '../../src/domain/ports.js';
import type { AuditRecord, RecordPage } from '../../src/domain/types.js';
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

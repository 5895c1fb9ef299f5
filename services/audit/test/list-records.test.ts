import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PermissionDeniedError } from '@assent/platform/domain';
import { listRecords, type ListRecordsInput } from '../src/domain/commands/list-records.js';
import { recordEvent } from '../src/domain/commands/record-event.js';
import type { AuditRecord } from '../src/domain/types.js';
import { memoryDeps, service, sourceEvent, userOf } from './support/deps.js';

const query = (overrides: Partial<ListRecordsInput> = {}): ListRecordsInput => ({ tenant: 'acme', eventType: '', subject: '', pageSize: 0, pageToken: '', ...overrides });

async function withRecords(count: number, make = (_i: number) => sourceEvent()) {
  const deps = memoryDeps();
  for (let i = 0; i < count; i++) await recordEvent(deps, make(i));
  return deps;
}

const seqs = (records: AuditRecord[]) => records.map((r) => r.sequence);

describe('listRecords', () => {
  it('returns 50 records by default, oldest first, with a token for the rest', async () => {
    const deps = await withRecords(60);
    const first = await listRecords(deps, service, query());
    expect(seqs(first.records)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const second = await listRecords(deps, service, query({ pageToken: first.nextPageToken }));
    expect(seqs(second.records)).toEqual(Array.from({ length: 10 }, (_, i) => i + 51));
    expect(second.nextPageToken).toBe('');
  });

  it('caps the page size at 500', async () => {
    const deps = await withRecords(501);
    const page = await listRecords(deps, service, query({ pageSize: 10_000 }));
    expect(page.records).toHaveLength(500);
    expect(page.nextPageToken).not.toBe('');
  });

  it('filters by event type and subject, and keeps the filters across pages', async () => {
    const types = ['assent.approval.requested.v1', 'assent.approval.decided.v1'];
    const deps = await withRecords(6, (i) => sourceEvent({ type: types[i % 2]!, subject: i < 3 ? 'request/a' : 'request/b' }));
    const decided = await listRecords(deps, service, query({ eventType: types[1]!, pageSize: 2 }));
    expect(seqs(decided.records)).toEqual([2, 4]);
    const rest = await listRecords(deps, service, query({ eventType: types[1]!, pageSize: 2, pageToken: decided.nextPageToken }));
    expect(seqs(rest.records)).toEqual([6]);
    expect(rest.nextPageToken).toBe('');
    expect(seqs((await listRecords(deps, service, query({ subject: 'request/b' }))).records)).toEqual([4, 5, 6]);
    expect(seqs((await listRecords(deps, service, query({ subject: 'request/a', eventType: types[0]! }))).records)).toEqual([1, 3]);
  });

  it('rejects a page token that is garbage or was issued for another query', async () => {
    const deps = await withRecords(3);
    const { nextPageToken } = await listRecords(deps, service, query({ pageSize: 1 }));
    const fieldOf = (p: Promise<unknown>) => p.then(() => [], (e: InvalidArgumentError) => e.violations.map((v) => v.field));
    expect(await fieldOf(listRecords(deps, service, query({ pageToken: 'not-a-token' })))).toEqual(['page_token']);
    expect(await fieldOf(listRecords(deps, service, query({ pageToken: nextPageToken, subject: 'request/1' })))).toEqual(['page_token']);
    expect(await fieldOf(listRecords(deps, service, query({ pageToken: nextPageToken, tenant: 'globex' })))).toEqual(['page_token']);
  });

  it('keeps tenants apart: users see only their tenant, an unknown tenant is empty', async () => {
    const deps = await withRecords(2);
    await recordEvent(deps, sourceEvent({ tenant: 'globex' }));
    expect(seqs((await listRecords(deps, userOf('acme'), query())).records)).toEqual([1, 2]);
    expect((await listRecords(deps, userOf('globex'), query({ tenant: 'globex' }))).records.map((r) => r.tenant)).toEqual(['globex']);
    await expect(listRecords(deps, userOf('globex'), query())).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await listRecords(deps, service, query({ tenant: 'initech' }))).toEqual({ records: [], nextPageToken: '' });
  });

  it('rejects a malformed tenant id before anything else', async () => {
    const err = await listRecords(memoryDeps(), userOf('acme'), query({ tenant: 'Acme Corp' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['tenant']);
  });
});

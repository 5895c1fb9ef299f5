import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@assent/platform/domain';
import { recordEvent } from '../src/domain/commands/record-event.js';
import { recordEvents } from '../src/domain/commands/record-events.js';
import { canonicalView } from '../src/domain/canonical-view.js';
import { verifyChain } from '../src/domain/commands/verify-chain.js';
import { payloadHashOf, recordHash } from '../src/domain/record-hash.js';
import { RECORD_FORMAT, type AuditRecord } from '../src/domain/types.js';
import { UnmappedEventError } from '../src/domain/unmapped-event-error.js';
import { memoryDeps, service, sourceEvent } from './support/deps.js';
import { appendChain, collect } from './support/records.js';

/** Three records as the service wrote them before record formats (no format, no canonical fields), then three new ones. */
async function mixedChain() {
  const deps = memoryDeps();
  const old = await appendChain(deps.log, 'acme', 3);
  for (let i = 0; i < 3; i++) await recordEvent(deps, sourceEvent());
  return { deps, old, all: await collect(deps.log.all('acme')) };
}

describe('record formats', () => {
  it('writes new records in the current format with their canonical fields inside the hash', async () => {
    const deps = memoryDeps();
    const { record } = (await recordEvent(deps, sourceEvent())) as { record: AuditRecord };
    expect(record.format).toBe(RECORD_FORMAT);
    expect(record.canonical).toMatchObject({ action: 'approval.request', actor: { type: 'user', id: 'alice' }, outcome: 'success', category: 'approval' });
    expect(record.actor).toBe(record.canonical?.actor.id);
    const { hash, ...content } = record;
    expect(recordHash(content)).toBe(hash);
    expect(recordHash({ ...content, canonical: { ...content.canonical!, outcome: 'denied' } })).not.toBe(hash);
  });

  it('keeps hashing records without a format the way they were written', async () => {
    const { old } = await mixedChain();
    const { hash, ...content } = old[0]!;
    expect(content.format).toBeUndefined();
    expect(recordHash(content)).toBe(hash);
    // An explicit format 1 is the same record.
    expect(recordHash({ ...content, format: 1 })).toBe(hash);
  });

  it('verifies an old-format chain followed by new-format records', async () => {
    const { deps, all } = await mixedChain();
    expect(all.map((r) => r.format)).toEqual([undefined, undefined, undefined, 2, 2, 2]);
    expect(all[3]!.prevHash).toBe(all[2]!.hash);
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: true, records: 6 });
  });

  it.each([
    ['an old-format record edited', 2, (r: AuditRecord) => ({ ...r, actor: 'mallory' }), 2],
    ['a new-format record whose canonical actor was edited', 5, (r: AuditRecord) => ({ ...r, canonical: { ...r.canonical!, actor: { ...r.canonical!.actor, id: 'mallory' } } }), 5],
    ['a new-format record whose outcome was edited', 4, (r: AuditRecord) => ({ ...r, canonical: { ...r.canonical!, outcome: 'denied' as const } }), 4],
    // Format 2 seals the data through its hash: the data itself, and the hash the canonical fields carry, are both covered.
    ['a new-format record whose data was edited', 5, (r: AuditRecord) => ({ ...r, data: { ...(r.data as object), justification: 'forged' } }), 5],
    ['a new-format record whose data and canonical payload hash were edited together', 5, (r: AuditRecord) => ({ ...r, data: { forged: true }, canonical: { ...r.canonical!, payloadHash: payloadHashOf({ forged: true }) } }), 5],
    ['a new-format record relabelled as old, dropping its canonical fields', 4, (r: AuditRecord) => ({ ...r, format: undefined, canonical: undefined }), 4],
    ['a new-format record relabelled and re-sealed as old (caught at the next link)', 4, ({ hash: _, ...r }: AuditRecord) => {
      const old = { ...r, format: undefined, canonical: undefined };
      return { ...old, hash: recordHash(old) };
    }, 5],
    ['a record claiming a format that does not exist', 6, (r: AuditRecord) => ({ ...r, format: 99 }), 6],
  ])('detects %s', async (_, sequence, change, firstInvalid) => {
    const { deps } = await mixedChain();
    deps.log.tamper('acme', sequence, change);
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: false, firstInvalidSequence: firstInvalid });
  });

  it('derives canonical fields for reading an old record, keeping the actor it was recorded with', async () => {
    const { old, all } = await mixedChain();
    expect(canonicalView(old[0]!)).toMatchObject({ actor: { type: 'user', id: 'alice' }, action: 'approval.request', target: { kind: 'request', id: '1' }, category: 'approval', requestId: '1' });
    expect(canonicalView({ ...old[0]!, actor: '/assent/approvals' })?.actor).toEqual({ type: 'system', id: '/assent/approvals', ip: '', userAgent: '' });
    expect(canonicalView({ ...old[0]!, eventType: 'assent.gone.away.v1' })).toBeUndefined();
    expect(canonicalView(all[4]!)).toBe(all[4]!.canonical);
  });

  it('writes nothing of a batch that holds an event type with no mapping', async () => {
    const deps = memoryDeps();
    const err = await recordEvents(deps, [sourceEvent(), sourceEvent({ type: 'assent.approval.teleported.v1' }), sourceEvent()]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnmappedEventError);
    // An InvalidArgumentError too: whatever parks invalid events parks it.
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(await deps.log.head('acme')).toBeUndefined();
  });
});

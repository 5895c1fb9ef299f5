import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError } from '@assent/platform/domain';
import { recordEvent } from '../src/domain/commands/record-event.js';
import type { AuditLog } from '../src/domain/ports.js';
import { recordHash } from '../src/domain/record-hash.js';
import { collect, nextRecord } from './support/records.js';
import { memoryDeps, sourceEvent } from './support/deps.js';

describe('recordEvent', () => {
  it('links each record to the one before it with a recomputable hash', async () => {
    const deps = memoryDeps();
    for (let i = 0; i < 3; i++) await recordEvent(deps, sourceEvent());
    const records = await collect(deps.log.all('acme'));
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(records[0]!.prevHash).toBe('');
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(records[2]!.prevHash).toBe(records[1]!.hash);
    for (const { hash, ...content } of records) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(recordHash(content)).toBe(hash);
    }
  });

  it('copies the event into the record: type, subject, time, data and who caused it', async () => {
    const deps = memoryDeps();
    const event = sourceEvent({ time: new Date('2029-12-31T23:59:59.123Z') });
    const outcome = await recordEvent(deps, event);
    expect(outcome).toMatchObject({
      duplicate: false,
      record: {
        tenant: 'acme',
        eventId: event.id,
        eventType: event.type,
        subject: event.subject,
        actor: 'alice',
        occurredAt: event.time,
        recordedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 1)),
        data: event.data,
      },
    });
  });

  it('uses the recording time when the event carries none', async () => {
    const deps = memoryDeps();
    await recordEvent(deps, sourceEvent({ time: undefined }));
    const record = await deps.log.head('acme');
    expect(record?.occurredAt).toEqual(record?.recordedAt);
    expect(record?.occurredAt).toEqual(new Date(Date.UTC(2030, 0, 1, 0, 0, 1)));
  });

  it('records a redelivered event once', async () => {
    const deps = memoryDeps();
    const event = sourceEvent();
    await recordEvent(deps, event);
    await recordEvent(deps, sourceEvent());
    expect(await recordEvent(deps, event)).toEqual({ duplicate: true });
    expect((await collect(deps.log.all('acme'))).map((r) => r.eventId)).toEqual([event.id, expect.any(String)]);
  });

  it('rejects an unusable event with field violations and writes nothing', async () => {
    const deps = memoryDeps();
    const err = await recordEvent(deps, sourceEvent({ tenant: 'Not A Tenant', id: '', subject: '', time: new Date('nope') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['tenant', 'id', 'subject', 'time']);
    expect(await deps.log.head('Not A Tenant')).toBeUndefined();
  });

  it('re-reads the head and retries when another writer extends the chain first', async () => {
    const deps = memoryDeps();
    const inner = deps.log;
    let interfered = false;
    const racy: AuditLog = {
      head: (t) => inner.head(t),
      hasEvent: (t, id) => inner.hasEvent(t, id),
      knownEvents: (t, ids) => inner.knownEvents(t, ids),
      list: (...a) => inner.list(...a),
      all: (t) => inner.all(t),
      query: (...a) => inner.query(...a),
      async append(records, expected) {
        if (!interfered) {
          interfered = true;
          await inner.append([nextRecord('acme', await inner.head('acme'), { eventId: 'other-replica' })], expected);
        }
        return inner.append(records, expected);
      },
    };
    const outcome = await recordEvent({ ...deps, log: racy }, sourceEvent());
    expect(outcome).toMatchObject({ duplicate: false, record: { sequence: 2 } });
    const records = await collect(inner.all('acme'));
    expect(records.map((r) => r.eventId)[0]).toBe('other-replica');
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
  });

  it('gives up with a ConflictError (retried by the consumer) when the chain never settles', async () => {
    const deps = memoryDeps();
    let attempts = 0;
    const hopeless: AuditLog = {
      head: (t) => deps.log.head(t),
      hasEvent: async () => false,
      knownEvents: async () => new Set<string>(),
      list: (...a) => deps.log.list(...a),
      all: (t) => deps.log.all(t),
      query: (...a) => deps.log.query(...a),
      append: async () => {
        attempts++;
        throw new ConflictError('moved');
      },
    };
    await expect(recordEvent({ ...deps, log: hopeless }, sourceEvent())).rejects.toBeInstanceOf(ConflictError);
    expect(attempts).toBeGreaterThan(1);
    expect(await deps.log.head('acme')).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanos } from '@nats-io/nats-core';
import { connectNats, createLogger, createRedis, MemoryTenantDirectory, names, type Nats, type Redis } from '@assent/platform';
import { cleanupNats, cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { auditStreamName, auditSubject } from '../src/adapters/jetstream/audit-stream.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import { recordEvent } from '../src/domain/commands/record-event.js';
import { verifyChain } from '../src/domain/commands/verify-chain.js';
import type { CheckpointDeps } from '../src/domain/ports.js';
import { MemoryCheckpointLog } from '../src/adapters/memory/checkpoint-log.js';
import type { SourceEvent } from '../src/domain/types.js';
import { auditLogContract } from './contract/audit-log.contract.js';
import { appendChain, collect } from './support/records.js';
import { newKeyRing } from './support/deps.js';

const root = uniqueRoot();
const n = names(root);
const logger = createLogger('audit-test', 'silent');
const service = { subject: 'service:test', kind: 'service' as const, tenant: undefined, roles: [] };
let natsA: Nats;
let natsB: Nats;
let redis: Redis;
let t = 0;
const tenants = new MemoryTenantDirectory();
const tenantOf = () => {
  const tenant = `tenant-${++t}`;
  tenants.add(tenant);
  return tenant;
};

const open = (nats: Nats, index = new RedisEventIndex(redis)) => JetStreamAuditLog.open(nats, n, index);
const deps = async (nats: Nats): Promise<CheckpointDeps> => ({ log: await open(nats), heads: { current: async () => undefined }, checkpoints: new MemoryCheckpointLog(), keys: newKeyRing(), clock: { now: () => new Date() }, tenants });
const event = (tenant: string, id: string): SourceEvent => ({
  id,
  type: 'assent.policy.updated.v1',
  source: '/assent/approvals',
  subject: `policy/${id}`,
  tenant,
  time: new Date(),
  data: { tenant, policy: { id } },
});

beforeAll(async () => {
  [natsA, natsB] = await Promise.all([connectNats(testEnv.natsUrl, 'audit-test-a', logger), connectNats(testEnv.natsUrl, 'audit-test-b', logger)]);
  redis = createRedis(testEnv.redisUrl, root);
});

afterAll(async () => {
  await Promise.all([natsA?.drain(), natsB?.drain()]);
  redis?.disconnect();
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

auditLogContract('jetstream', () => open(natsA), tenantOf);

describe('JetStreamAuditLog', () => {
  it('never forks a chain when two instances race on the same tenant', async () => {
    const tenant = tenantOf();
    const [a, b] = [await deps(natsA), await deps(natsB)];
    const ids = Array.from({ length: 20 }, (_, i) => `evt-${i}`);
    // Every event is handled by both replicas at once, like a redelivery racing the original.
    const outcomes = await Promise.all(ids.flatMap((id) => [recordEvent(a, event(tenant, id)), recordEvent(b, event(tenant, id))]));
    expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(ids.length);

    const records = await collect(a.log.all(tenant));
    expect(records.map((r) => r.sequence)).toEqual(ids.map((_, i) => i + 1));
    expect(new Set(records.map((r) => r.eventId))).toEqual(new Set(ids));
    expect(await verifyChain(b, service, { tenant })).toMatchObject({ valid: true, records: ids.length, firstInvalidSequence: 0 });
  });

  it('stays idempotent on event id after the stream dedupe window has passed', async () => {
    const tenant = tenantOf();
    const d = await deps(natsA);
    await recordEvent(d, event(tenant, 'evt-old'));
    await recordEvent(d, event(tenant, 'evt-next'));
    const stream = auditStreamName(n);
    const info = await natsA.jsm.streams.info(stream);
    await natsA.jsm.streams.update(stream, { ...info.config, duplicate_window: nanos(100) });
    try {
      await new Promise((r) => setTimeout(r, 300));
      // A fresh instance (no cache) with an emptied index must rebuild it from the stream.
      await cleanupRedis(root);
      const fresh = await deps(natsB);
      expect(await recordEvent(fresh, event(tenant, 'evt-old'))).toEqual({ duplicate: true });
      expect((await collect(fresh.log.all(tenant))).map((r) => r.eventId)).toEqual(['evt-old', 'evt-next']);
    } finally {
      await natsA.jsm.streams.update(stream, { ...info.config });
    }
  });

  it('catches the index up when a writer appended but never indexed', async () => {
    const tenant = tenantOf();
    const broken = new RedisEventIndex(redis);
    broken.add = async () => {
      throw new Error('redis went away');
    };
    const writer = await open(natsA, broken);
    await appendChain(writer, tenant, 3);
    const reader = await open(natsB);
    expect(await reader.hasEvent(tenant, `evt-${tenant}-2`)).toBe(true);
    expect(await reader.hasEvent(tenant, 'evt-never')).toBe(false);
  });

  it('indexes more entries than one script call takes, and moves the watermark only with the last', async () => {
    const tenant = tenantOf();
    const index = new RedisEventIndex(redis);
    const entries = Array.from({ length: 2_500 }, (_, i) => ({ eventId: `bulk-${i}`, sequence: i + 1 }));
    expect(await index.add(tenant, entries, 0, 7)).toBe(true);
    expect(await index.indexedThrough(tenant)).toBe(7);
    expect(await index.known(tenant, ['bulk-0', 'bulk-1023', 'bulk-1024', 'bulk-2499', 'bulk-2500'])).toEqual(new Set(['bulk-0', 'bulk-1023', 'bulk-1024', 'bulk-2499']));
    // A writer that starts from a stale watermark indexes its entries but leaves the watermark alone.
    expect(await index.add(tenant, [{ eventId: 'late', sequence: 2_501 }], 3, 9)).toBe(false);
    expect(await index.indexedThrough(tenant)).toBe(7);
    expect(await index.has(tenant, 'late')).toBe(true);
  });

  it('refuses to delete or purge records through the JetStream API', async () => {
    const tenant = tenantOf();
    const log = await open(natsA);
    await appendChain(log, tenant, 2);
    const stream = auditStreamName(n);
    const { seq } = (await natsA.jsm.streams.getMessage(stream, { last_by_subj: auditSubject(n, tenant) }))!;
    await expect(natsA.jsm.streams.deleteMessage(stream, seq)).rejects.toThrow(/not permitted/);
    await expect(natsA.jsm.streams.purge(stream, { filter: auditSubject(n, tenant) })).rejects.toThrow(/not permitted/);
    expect(await collect(log.all(tenant))).toHaveLength(2);
  });

  it('reports a message that is not a record, written straight to the chain subject', async () => {
    const tenant = tenantOf();
    const d = await deps(natsA);
    await appendChain(d.log, tenant, 2);
    await natsA.js.publish(auditSubject(n, tenant), 'forged');
    expect(await verifyChain(d, service, { tenant })).toMatchObject({ valid: false, records: 3, firstInvalidSequence: 3 });
  });
});

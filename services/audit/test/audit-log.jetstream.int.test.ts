import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanos } from '@nats-io/nats-core';
import { connectNats, createLogger, createRedis, MemoryTenantDirectory, names, type Nats, type Redis } from '@assent/platform';
import { cleanupNats, cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { auditStreamName, auditSubject } from '../src/adapters/jetstream/audit-stream.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import { RedisQueryIndex } from '../src/adapters/redis/query-index.js';
import { recordEvent } from '../src/domain/commands/record-event.js';
import { verifyChain } from '../src/domain/commands/verify-chain.js';
import type { CheckpointDeps } from '../src/domain/ports.js';
import { MemoryCheckpointLog } from '../src/adapters/memory/checkpoint-log.js';
import type { SourceEvent } from '../src/domain/types.js';
import { auditLogContract } from './contract/audit-log.contract.js';
import { appendChain, canonical, collect } from './support/records.js';
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

  const everything = { since: new Date(Date.UTC(2030, 0, 1)), until: new Date(Date.UTC(2030, 0, 2)) };
  const byActor = (i: number) => ({ format: 2, canonical: canonical({ actor: i % 2 ? 'bob' : 'carol' }) });

  it('rebuilds the query index from the stream when Redis lost it', async () => {
    const tenant = tenantOf();
    const log = await open(natsA);
    await appendChain(log, tenant, 6, byActor);
    const before = await log.query(tenant, { ...everything, actor: 'bob' }, {}, 10);
    expect(before.records.map((r) => r.sequence)).toEqual([2, 4, 6]);
    // What a Redis restart without persistence leaves: no query sets and no watermark.
    const [, lost] = await redis.scan('0', 'MATCH', `${root}:audit:query*${tenant}*`, 'COUNT', 1000);
    expect(lost.length).toBeGreaterThan(0);
    await redis.del(...lost.map((k) => k.slice(root.length + 1)));
    expect(await new RedisQueryIndex(redis).indexedThrough(tenant)).toBe(0);
    expect(await (await open(natsB)).query(tenant, { ...everything, actor: 'bob' }, {}, 10)).toEqual(before);
  });

  it('answers a filter that matches nothing from the index, without reading the chain', async () => {
    const tenant = tenantOf();
    const log = await open(natsA);
    await appendChain(log, tenant, 4, byActor);
    await log.query(tenant, everything, {}, 1);
    const reads = { consumers: 0, gets: 0 };
    const { consumers, streams } = natsA.jsm;
    const add = consumers.add.bind(consumers);
    const get = streams.getMessage.bind(streams);
    consumers.add = (...a) => (reads.consumers++, add(...a));
    streams.getMessage = (...a) => (reads.gets++, get(...a));
    try {
      expect(await log.query(tenant, { ...everything, actor: 'nobody' }, {}, 10)).toEqual({ records: [], more: false });
      expect(await log.query(tenant, { ...everything, actor: 'bob', outcome: 'denied' }, {}, 10)).toEqual({ records: [], more: false });
    } finally {
      consumers.add = add;
      streams.getMessage = get;
    }
    // One read of the head per query (is the index complete?), no read of records.
    expect(reads).toEqual({ consumers: 0, gets: 2 });
  });

  it('intersects filters over more members than one read takes', async () => {
    const tenant = tenantOf();
    const index = new RedisQueryIndex(redis);
    const values = (i: number) => ({ actor: i % 3 === 0 ? 'bob' : 'carol', action: 'approval.vote', target: `request/r${i}`, outcome: i % 700 === 0 ? 'denied' : 'success', category: 'approval' });
    const entries = Array.from({ length: 2_100 }, (_, i) => ({ key: { time: Date.UTC(2030, 0, 1) + i, sequence: i + 1 }, at: `${i + 1}.0`, values: values(i) }));
    expect(await index.add(tenant, entries, 0, 2_100)).toBe(true);
    const page = await index.range(tenant, [['actor', 'bob'], ['outcome', 'denied']], everything, 10);
    // i = 0, 2100 is out of range; 700 is not a multiple of 3; 1400 neither: only i = 0 is bob and denied.
    expect(page).toEqual({ found: [{ key: { time: Date.UTC(2030, 0, 1), sequence: 1 }, at: '1.0' }], more: false });
    const bobs = await index.range(tenant, [['actor', 'bob'], ['category', 'approval']], everything, 600);
    expect(bobs.found).toHaveLength(600);
    expect(bobs.more).toBe(true);
    expect(bobs.found.at(-1)?.at).toBe(`${599 * 3 + 1}.0`);
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

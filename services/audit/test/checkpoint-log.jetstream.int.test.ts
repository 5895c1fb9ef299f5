import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, createLogger, createRedis, names, type Nats, type Redis } from '@assent/platform';
import { cleanupNats, cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { JetStreamCheckpointLog } from '../src/adapters/jetstream/checkpoint-log.js';
import { checkpointStreamName, checkpointSubject } from '../src/adapters/jetstream/checkpoint-stream.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import { checkpointLogContract, nextCheckpoint } from './contract/checkpoint-log.contract.js';
import { appendChain, collect } from './support/records.js';

const root = uniqueRoot();
const n = names(root);
let nats: Nats;
let redis: Redis;
let t = 0;
const tenantOf = () => `tenant-${++t}`;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'audit-checkpoint-test', createLogger('audit-test', 'silent'));
  redis = createRedis(testEnv.redisUrl, root);
});

afterAll(async () => {
  await nats?.drain();
  redis?.disconnect();
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

checkpointLogContract('jetstream', () => JetStreamCheckpointLog.open(nats, n), tenantOf);

describe('JetStreamCheckpointLog', () => {
  it('lets one of two instances append a given index', async () => {
    const [a, b] = await Promise.all([JetStreamCheckpointLog.open(nats, n), JetStreamCheckpointLog.open(nats, n)]);
    const tenant = tenantOf();
    const first = nextCheckpoint(tenant, undefined);
    const results = await Promise.allSettled([a.append(first), b.append(nextCheckpoint(tenant, undefined, 4))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await collect(a.all(tenant))).toHaveLength(1);
  });

  it('refuses to delete or purge checkpoints through the JetStream API', async () => {
    const log = await JetStreamCheckpointLog.open(nats, n);
    const tenant = tenantOf();
    await log.append(nextCheckpoint(tenant, undefined));
    const stream = checkpointStreamName(n);
    const { seq } = (await nats.jsm.streams.getMessage(stream, { last_by_subj: checkpointSubject(n, tenant) }))!;
    await expect(nats.jsm.streams.deleteMessage(stream, seq)).rejects.toThrow(/not permitted/);
    await expect(nats.jsm.streams.purge(stream, { filter: checkpointSubject(n, tenant) })).rejects.toThrow(/not permitted/);
    expect(await collect(log.all(tenant))).toHaveLength(1);
  });

  it('reads a message that is not a checkpoint as an unsigned stand-in, not a failed read', async () => {
    const log = await JetStreamCheckpointLog.open(nats, n);
    const tenant = tenantOf();
    await log.append(nextCheckpoint(tenant, undefined));
    await nats.js.publish(checkpointSubject(n, tenant), 'forged');
    const all = await collect(log.all(tenant));
    expect(all.map((c) => [c.index, c.signature === ''])).toEqual([
      [1, false],
      [0, true],
    ]);
  });

  it('lists the tenants that have an audit chain', async () => {
    const audit = await JetStreamAuditLog.open(nats, n, new RedisEventIndex(redis));
    const [a, b] = [tenantOf(), tenantOf()];
    await appendChain(audit, a, 2);
    await appendChain(audit, b, 1);
    expect(await JetStreamCheckpointLog.chainTenants(nats, n)).toEqual(expect.arrayContaining([a, b]));
  });
});

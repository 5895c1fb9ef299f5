import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, createLogger, createRedis, names, type Nats, type Redis } from '@assent/platform';
import { cleanupNats, cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { BLOCK, JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import type { AuditRecord, RecordQuery } from '../src/domain/types.js';
import { canonical } from './support/records.js';

/**
 * The query benchmark of issue 10 (docs/benchmarks.md, "Audit queries"): a filtered
 * page of 50 from N stored records of one tenant, through the JetStream audit log and
 * its Redis index, on the local NATS and Redis (unique root, cleaned up). Skipped
 * unless asked for:
 *   AUDIT_QUERY_BENCH_RECORDS=1000000 npx vitest run --project integration services/audit/test/query-bench.int.test.ts
 * Records are written in full blocks of AUDIT_QUERY_BENCH_BLOCK (default 1,024, the
 * most one message holds: the worst case for a page whose records are each in a
 * different block; the event consumer appends at most 256 at a time); hashes are not
 * computed (queries do not verify).
 */
const N = Number(process.env['AUDIT_QUERY_BENCH_RECORDS'] ?? 0);
const BLOCK_SIZE = Math.min(BLOCK, Number(process.env['AUDIT_QUERY_BENCH_BLOCK'] ?? BLOCK));
const QUERIES = 200;
const DAY = 86_400_000;
const t0 = Date.UTC(2030, 0, 1);
const root = uniqueRoot();
let nats: Nats;
let redis: Redis;

describe.skipIf(!N)('audit query benchmark', () => {
  beforeAll(async () => {
    nats = await connectNats(testEnv.natsUrl, 'audit-query-bench', createLogger('bench', 'silent'));
    redis = createRedis(testEnv.redisUrl, root);
  });

  afterAll(async () => {
    await nats?.drain();
    redis?.disconnect();
    await Promise.all([cleanupNats(root), cleanupRedis(root)]);
  });

  it(`pages of 50 from ${N} records`, async () => {
    const log = await JetStreamAuditLog.open(nats, names(root), new RedisEventIndex(redis));
    const started = Date.now();
    // 1,000 actors, one record every 2 s (a 31-day window holds about 1.3 M), 1 in 10
    // a policy apply, 1 in 97 denied, 50,000 requests.
    for (let first = 0; first < N; first += BLOCK_SIZE) {
      const block: AuditRecord[] = [];
      for (let i = first; i < Math.min(N, first + BLOCK_SIZE); i++) {
        const actor = `u${i % 1000}`;
        block.push({
          tenant: 'acme',
          sequence: i + 1,
          eventId: `e${i}`,
          eventType: 'assent.approval.voted.v1',
          subject: `request/r${i % 50_000}`,
          actor,
          occurredAt: new Date(t0 + i * 2_000),
          recordedAt: new Date(t0 + i * 2_000),
          data: { n: i },
          prevHash: '',
          hash: '',
          format: 2,
          canonical: canonical({
            actor,
            action: i % 10 === 0 ? 'policy.apply' : 'approval.vote',
            outcome: i % 97 === 0 ? 'denied' : 'success',
            category: i % 10 === 0 ? 'governance' : 'approval',
            target: { kind: 'request', id: `r${i % 50_000}` },
          }),
        });
      }
      await log.append(block, first);
    }
    const memory = (await redis.info('memory')).split('\n').find((l) => l.startsWith('used_memory_human'))?.trim();
    console.log(`${N} records in blocks of ${BLOCK_SIZE} appended and indexed in ${((Date.now() - started) / 1000).toFixed(1)} s; Redis ${memory} (whole server)`);

    const cases: [string, Partial<RecordQuery>][] = [
      ['one actor (each record in another block)', { actor: 'u17' }],
      ['actor and outcome (rare)', { actor: 'u0', outcome: 'denied' }],
      ['category and outcome', { category: 'approval', outcome: 'denied' }],
      ['one target', { target: 'request/r123' }],
      ['a filter that matches nothing', { actor: 'nobody' }],
      ['no filter (the window)', {}],
    ];
    const span = N * 2_000;
    for (const [name, filters] of cases) {
      const ms: number[] = [];
      for (let k = 0; k < QUERIES; k++) {
        const since = new Date(t0 + Math.floor(Math.random() * Math.max(1, span - 31 * DAY)));
        const began = performance.now();
        const page = await log.query('acme', { ...filters, since, until: new Date(since.getTime() + 31 * DAY) }, {}, 50);
        ms.push(performance.now() - began);
        expect(page.records.length).toBeLessThanOrEqual(50);
      }
      ms.sort((a, b) => a - b);
      const at = (q: number) => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0).toFixed(1);
      console.log(`${name}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`);
    }
  }, 1_800_000);
});

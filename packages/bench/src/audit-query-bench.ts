import { randomBytes } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import { connectNats, createLogger, createRedis, names } from '@assent/platform';
import { BLOCK, JetStreamAuditLog, RedisEventIndex, type AuditRecord, type CanonicalFields, type RecordQuery } from '@assent/audit/in-process';
import { cleanupNats, cleanupRedis } from '@assent/testkit';
import { Latency } from './histogram.js';
import { formatTable } from './report.js';

export interface AuditQueryBenchOptions {
  /** Records stored in one tenant's chain before querying. */
  records: number;
  /** Records per stored message: 64 as audit appends them (RECORDS_PER_APPEND); up to 1,024 to see what larger messages cost. */
  block: number;
  /** Pages asked per filter. */
  queries: number;
  natsUrl: string;
  redisUrl: string;
}

export interface AuditQueryCase {
  name: string;
  latency: Latency;
}

export interface AuditQueryResult {
  records: number;
  block: number;
  loadSeconds: number;
  redisMemory: string;
  cases: AuditQueryCase[];
}

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

const canonical = (actor: string, i: number): CanonicalFields => ({
  actor: { type: 'user', id: actor, ip: '', userAgent: '' },
  action: i % 10 === 0 ? 'policy.apply' : 'approval.vote',
  target: { kind: 'request', id: `r${i % 50_000}` },
  outcome: i % 97 === 0 ? 'denied' : 'success',
  reason: '',
  policyHash: '',
  payloadHash: '0'.repeat(64),
  traceId: '',
  requestId: `r${i % 50_000}`,
  category: i % 10 === 0 ? 'governance' : 'approval',
  details: {},
});

/**
 * Issue 10's query figure: a filtered page of 50 from N stored records of one
 * tenant, through the JetStream audit log and its Redis query index, in this
 * process (no gRPC), on a fresh subject root of the machine's NATS and Redis that is
 * removed afterwards. 1,000 actors, one record every 2 s (a 31-day window holds
 * about 1.3 million), 1 in 10 a policy apply, 1 in 97 denied, 50,000 requests.
 * Hashes are not computed: queries do not verify.
 */
export async function auditQueryBench(o: AuditQueryBenchOptions, progress: boolean): Promise<AuditQueryResult> {
  const root = `benchauditq${randomBytes(4).toString('hex')}`;
  const nats = await connectNats(o.natsUrl, 'audit-query-bench', createLogger('bench', 'silent'));
  const redis = createRedis(o.redisUrl, root);
  try {
    const log = await JetStreamAuditLog.open(nats, names(root), new RedisEventIndex(redis));
    const block = Math.min(BLOCK, o.block);
    const bar = progress ? new SingleBar({ format: 'audit query |{bar}| {phase} {value}/{total}', hideCursor: true }, Presets.shades_classic) : undefined;
    bar?.start(o.records, 0, { phase: 'storing records' });
    const started = Date.now();
    for (let first = 0; first < o.records; first += block) {
      const records: AuditRecord[] = [];
      for (let i = first; i < Math.min(o.records, first + block); i++) {
        const actor = `u${i % 1000}`;
        const at = new Date(T0 + i * 2_000);
        records.push({
          tenant: 'acme',
          sequence: i + 1,
          eventId: `e${i}`,
          eventType: 'assent.approval.voted.v1',
          subject: `request/r${i % 50_000}`,
          actor,
          occurredAt: at,
          recordedAt: at,
          data: { n: i },
          prevHash: '',
          hash: '',
          format: 2,
          canonical: canonical(actor, i),
        });
      }
      await log.append(records, first);
      bar?.update(first + records.length);
    }
    const loadSeconds = (Date.now() - started) / 1000;
    const redisMemory = (await redis.info('memory')).split('\n').find((l) => l.startsWith('used_memory_human:'))?.split(':')[1]?.trim() ?? '?';

    const filters: [string, Partial<RecordQuery>][] = [
      ['one actor (its records each in another block)', { actor: 'u17' }],
      ['actor and outcome (rare)', { actor: 'u0', outcome: 'denied' }],
      ['category and outcome', { category: 'approval', outcome: 'denied' }],
      ['one target', { target: 'request/r123' }],
      ['a filter that matches nothing', { actor: 'nobody' }],
      ['no filter (the window)', {}],
    ];
    bar?.setTotal(filters.length * o.queries);
    bar?.update(0, { phase: 'querying' });
    const span = o.records * 2_000;
    const cases: AuditQueryCase[] = [];
    for (const [name, f] of filters) {
      const latency = new Latency();
      for (let k = 0; k < o.queries; k++) {
        const since = new Date(T0 + Math.floor(Math.random() * Math.max(1, span - 31 * DAY)));
        const began = process.hrtime.bigint();
        const page = await log.query('acme', { ...f, since, until: new Date(since.getTime() + 31 * DAY) }, {}, 50);
        latency.record(began);
        if (page.records.length > 50) throw new Error(`a page of 50 held ${page.records.length} records`);
        bar?.increment();
      }
      cases.push({ name, latency });
    }
    bar?.stop();
    return { records: o.records, block, loadSeconds, redisMemory, cases };
  } finally {
    await nats.drain().catch(() => undefined);
    redis.disconnect();
    await Promise.all([cleanupNats(root, o.natsUrl), cleanupRedis(root, o.redisUrl)]);
  }
}

export function formatAuditQuery(r: AuditQueryResult): string {
  const rows = r.cases.map((c) => [c.name, c.latency.p(50).toFixed(1), c.latency.p(95).toFixed(1), c.latency.p(99).toFixed(1)]);
  return [
    `audit query: pages of 50 from ${r.records.toLocaleString('en-US')} records of one tenant, stored in blocks of ${r.block} (${r.loadSeconds.toFixed(1)} s to store and index; Redis ${r.redisMemory}, whole server)`,
    '',
    ...formatTable([['filter (31-day window)', 'p50 ms', 'p95 ms', 'p99 ms'], ...rows]),
  ].join('\n');
}

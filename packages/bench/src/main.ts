/**
 * `make bench`: load against the running platform (`make up`), then throughput,
 * p50/p95/p99 latency per step (HdrHistogram) and the CPU each platform process spent
 * per operation (from .assent/pids.json and /proc). Modes:
 *   make bench BENCH_ARGS="--concurrency 32 --duration 30"    closed loop: N lifecycles in flight
 *   make bench BENCH_ARGS="--rate 100 --duration 30"          open loop: 100 lifecycle starts/s
 *   make bench BENCH_ARGS="--mode check --concurrency 32"     authz Check vs OpenFGA's own Check, and BatchCheck of 100
 *   make bench BENCH_ARGS="--mode check-inproc"                 authz's decision path in this process (cache hits, no gRPC)
 *   make bench BENCH_ARGS="--mode timers --count 10000"       10,000 pending expiry timers: drift, each fires once
 *   make bench BENCH_ARGS="--mode slack --rate 200"           event → Slack message at 200 requests/s, then 60 s of Slack 429/5xx: nothing lost
 *   make bench BENCH_ARGS="--mode audit --count 200000"       audit ingest (events/s chained) against JetStream's own store rate, then VerifyChain records/s
 *   make bench BENCH_ARGS="--mode audit-query --count 1000000" filtered pages of 50 from 1,000,000 audit records (in process, own root)
 * A lifecycle is create → approve → grant written (or → approve with --no-wait-grant).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ClientError, Status } from 'nice-grpc';
import { connectNats, createGrpcClient, createLogger, devTokenSource, openChannel, type Nats } from '@assent/platform';
import { approvalsv1, auditv1, authzv1 } from '@assent/proto';
import { auditBench, formatAudit } from './audit-bench.js';
import { auditQueryBench, formatAuditQuery } from './audit-query-bench.js';
import { inProcessCheckBench } from './check-inproc.js';
import { closedLoop, openFgaCheck, openFgaGrantCheck, openFgaRead, openFgaStoreId } from './check-bench.js';
import { cpuReport, platformProcesses, sampleCpu } from './cpu.js';
import { Latency } from './histogram.js';
import { openLoop } from './open-loop.js';
import { formatCpu, formatReport, formatTable, latencyHeader, latencyRows, reportJson, stepsJson, type BenchReport } from './report.js';
import { readTargets } from './targets.js';
import { waitForGrant } from './wait-grant.js';
import { waitForDrain } from './drain.js';
import { formatTimers, timersMode } from './timers-bench.js';
import { formatSlack, slackBench } from './slack-bench.js';

/** make up's streams and buckets (root "assent"), whose durable consumers are the pipeline. */
const STREAM_PREFIX = 'ASSENT_';

const stateDir = process.env['ASSENT_STATE_DIR'] ?? '.assent';
const targets = readTargets(join(stateDir, 'targets.json'));
function localNats(): string {
  const file = join(stateDir, 'nats.url');
  return process.env['ASSENT_NATS_URL'] ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : 'nats://127.0.0.1:4222');
}

/** The platform's NATS, to watch its consumers' backlog; undefined with --no-drain. */
async function platformNats(o: Opts): Promise<Nats | undefined> {
  return o.drain ? connectNats(o.nats, 'assent-bench', createLogger('bench', 'silent')) : undefined;
}

const program = new Command('assent-bench')
  .description('Load-test a running Assent: the approval lifecycle (closed or open loop) or authz Check; CPU per process per operation')
  .addOption(new Option('--mode <mode>', 'what to load').choices(['lifecycle', 'check', 'check-inproc', 'timers', 'slack', 'audit', 'audit-query']).default('lifecycle'))
  .addOption(new Option('--count <n>', 'timers mode: requests (each with one expiry timer); audit mode: events (default 200,000); audit-query mode: stored records (default 1,000,000)').default(10_000).argParser(Number))
  .addOption(new Option('--block <n>', 'audit-query mode: records per stored message (1..1024; audit appends at most 64 at once)').default(64).argParser(Number))
  .addOption(new Option('--tenants <n>', 'audit mode: tenants the events are spread over (one chain each)').default(100).argParser(Number))
  .addOption(new Option('--expire-after <seconds>', 'timers mode: the policy expiry; long enough that every request is pending before the first expires').default(120).argParser(Number))
  .addOption(new Option('-c, --concurrency <n>', 'concurrent calls in flight (with --rate: the in-flight cap, default 1024)').default(16).argParser(Number))
  .addOption(new Option('-d, --duration <seconds>', 'how long to run (check mode: each of the two phases)').default(20).argParser(Number))
  .addOption(new Option('--rate <per-second>', 'open loop: start this many lifecycles per second on a fixed schedule').argParser(Number))
  .addOption(new Option('--channels <n>', 'slack mode: Slack channels the requests are spread over (Slack allows ~1 message/s per channel)').default(400).argParser(Number))
  .addOption(new Option('--fault-seconds <s>', 'slack mode: then the Slack sink answers 429 and 5xx for this long while requests keep coming (0: skip)').default(60).argParser(Number))
  .addOption(new Option('--settle-seconds <s>', 'slack mode: after a phase, how long to wait for its messages before counting the rest lost').default(300).argParser(Number))
  .option('--slack-sink <url>', "slack mode: make up's local Slack server", process.env['ASSENT_SLACK_SINK_URL'] ?? 'http://127.0.0.1:9110')
  .option('--approvals <addr>', 'approvals gRPC target (default: from make up)', process.env['ASSENT_APPROVALS_ADDR'] ?? targets.approvals)
  .option('--authz <addr>', 'authz gRPC target (check and audit modes)', process.env['ASSENT_AUTHZ_ADDR'] ?? targets.authz)
  .option('--audit <addr>', 'audit gRPC target (audit mode)', process.env['ASSENT_AUDIT_ADDR'] ?? targets.audit)
  .option('--inproc-nats <url>', 'NATS for check-inproc and audit-query (a fresh subject root, removed after)', process.env['ASSENT_BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222')
  .option('--inproc-redis <url>', 'Redis for check-inproc and audit-query (keys under a fresh root, removed after)', process.env['ASSENT_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379')
  .option('--openfga <url>', 'OpenFGA HTTP API (check mode)', targets.openfgaUrl)
  .option('--nats <url>', "the platform's NATS, to wait until its consumers are idle before and after a run (default: make up's operator URL)", localNats())
  .option('--no-drain', 'do not wait for the platform to finish the work a run caused')
  .option('--openfga-key-file <file>', "file with OpenFGA's preshared key (check mode; make up writes it)", targets.openfgaKeyFile)
  .option('--fga-store <name>', 'OpenFGA store name authz uses (check mode)', 'assent')
  .addOption(new Option('--fga-consistency <c>', 'consistency of the direct OpenFGA Check (authz asks HIGHER_CONSISTENCY)').choices(['HIGHER_CONSISTENCY', 'MINIMIZE_LATENCY']).default('HIGHER_CONSISTENCY'))
  .option('--tenant <id>', 'tenant', 'acme')
  .option('--action <action>', 'protected action', 'payouts.change_details')
  .option('--requester <user>', 'requesting user (the principal in check mode)', 'alice')
  .option('--approver <user>', 'approving user', 'bob')
  .option('--dev-key <file>', 'dev issuer key written by make up', process.env['ASSENT_DEV_ISSUER_KEY_FILE'] ?? join(stateDir, 'dev-issuer.json'))
  .option('--no-wait-grant', 'end a lifecycle at approve instead of when the grant is written')
  .option('--json', 'print the report as JSON');

type Opts = {
  mode: 'lifecycle' | 'check' | 'check-inproc' | 'timers' | 'slack' | 'audit' | 'audit-query';
  block: number;
  tenants: number;
  audit: string;
  channels: number;
  faultSeconds: number;
  settleSeconds: number;
  slackSink: string;
  count: number;
  expireAfter: number;
  concurrency: number;
  duration: number;
  rate?: number;
  approvals: string;
  authz: string;
  inprocNats: string;
  inprocRedis: string;
  openfga: string;
  openfgaKeyFile: string;
  nats: string;
  drain: boolean;
  fgaStore: string;
  fgaConsistency: string;
  tenant: string;
  action: string;
  requester: string;
  approver: string;
  devKey: string;
  waitGrant: boolean;
  json?: boolean;
};

const errors = new Map<string, number>();
function fail(err: unknown): void {
  const key = (err instanceof ClientError ? Status[err.code] : (err as Error).name) ?? 'UNKNOWN';
  // The first error of each kind is told on stderr, so a failing run says why.
  if (!errors.has(key)) process.stderr.write(`first ${key}: ${err instanceof ClientError ? `${err.path} ${err.details}` : String((err as Error).message)}\n`);
  errors.set(key, (errors.get(key) ?? 0) + 1);
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Opts>();
  if (o.rate !== undefined && !(o.rate > 0 && o.rate <= 10_000)) program.error('--rate must be 0..10000 lifecycles per second');
  if (o.rate !== undefined && program.getOptionValueSource('concurrency') === 'default') o.concurrency = 1024;
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 4096) program.error('--concurrency must be 1..4096');
  if (!(o.duration > 0 && o.duration <= 600)) program.error('--duration must be 1..600 seconds');

  const channel = openChannel(o.approvals);
  const requester = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: o.requester, tenant: o.tenant }));
  const approver = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: o.approver, tenant: o.tenant }));
  const run = randomBytes(4).toString('hex');
  const clients = { requester, approver };
  const nats = await platformNats(o);
  try {
    // Start from an idle platform: an earlier run's backlog would be measured as this one's.
    if (nats) await waitForDrain(nats, STREAM_PREFIX);
    const out = o.mode === 'audit-query' ? await auditQuery(o) : o.mode === 'audit' ? await audit(o, nats, run) : o.mode === 'slack' ? await slack(o, nats) : o.mode === 'check-inproc' ? await checkInProcessMode(o) : o.mode === 'check' ? await checkMode(o, channel, clients, run) : o.mode === 'timers' ? await timers(o, channel, clients, run, nats) : await lifecycleMode(o, clients, run, nats);
    process.stdout.write(`${out}\n`);
  } finally {
    channel.close();
    await nats?.drain();
  }
}

type ApprovalsClient = ReturnType<typeof createGrpcClient<typeof approvalsv1.ApprovalsServiceDefinition>>;

async function timers(o: Opts, channel: ReturnType<typeof openChannel>, c: { requester: ApprovalsClient }, run: string, nats: Nats | undefined): Promise<string> {
  if (!nats) throw new Error('timers mode reads the expired events from the platform NATS: drop --no-drain');
  if (!(o.count >= 1 && o.count <= 100_000)) program.error('--count must be 1..100000');
  const admin = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: 'bench-admin', tenant: o.tenant, roles: ['admin'] }));
  const result = await timersMode({ tenant: o.tenant, count: o.count, expireAfter: o.expireAfter, concurrency: o.concurrency, json: o.json, pidsFile: join(stateDir, 'pids.json') }, admin, c.requester, nats, run, fail);
  if (!o.json) return formatTimers(result);
  const { drift, ...rest } = result;
  return JSON.stringify({ mode: 'timers', ...rest, drift: { p50: drift.p(50), p95: drift.p(95), p99: drift.p(99), max: drift.max() }, errors: Object.fromEntries(errors) }, null, 2);
}

async function auditQuery(o: Opts): Promise<string> {
  const records = program.getOptionValueSource('count') === 'default' ? 1_000_000 : o.count;
  if (!(records >= 1 && records <= 5_000_000)) program.error('--count must be 1..5000000 in audit-query mode');
  if (!(Number.isInteger(o.block) && o.block >= 1 && o.block <= 1024)) program.error('--block must be 1..1024');
  const result = await auditQueryBench({ records, block: o.block, queries: 200, natsUrl: o.inprocNats, redisUrl: o.inprocRedis }, !o.json);
  if (!o.json) return formatAuditQuery(result);
  return JSON.stringify(
    { mode: 'audit-query', ...result, cases: result.cases.map((c) => ({ name: c.name, p50: c.latency.p(50), p95: c.latency.p(95), p99: c.latency.p(99) })) },
    null,
    2,
  );
}

async function audit(o: Opts, nats: Nats | undefined, run: string): Promise<string> {
  if (!nats) throw new Error('audit mode publishes events on the platform NATS: drop --no-drain');
  const events = program.getOptionValueSource('count') === 'default' ? 200_000 : o.count;
  if (!(events >= 1 && events <= 2_000_000)) program.error('--count must be 1..2000000 in audit mode');
  if (!(o.tenants >= 1 && o.tenants <= 10_000)) program.error('--tenants must be 1..10000');
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, openChannel(o.authz), devTokenSource(o.devKey, { subject: 'bench-admin', roles: ['platform-admin'] }));
  const auditChannel = openChannel(o.audit);
  try {
    const result = await auditBench(
      { events, tenants: o.tenants, window: o.concurrency, run, processes: platformProcesses(join(stateDir, 'pids.json')) },
      nats,
      {
        createTenant: async (id) => void (await admin.createTenant({ id, displayName: `audit bench ${run}` })),
        verifyChain: async (tenant) => {
          const auditor = createGrpcClient(auditv1.AuditServiceDefinition, auditChannel, devTokenSource(o.devKey, { subject: 'bench-auditor', tenant }));
          const v = await auditor.verifyChain({ tenant });
          return { valid: v.valid, records: Number(v.records), firstInvalidSequence: Number(v.firstInvalidSequence) };
        },
      },
      !o.json,
    );
    return o.json ? JSON.stringify({ mode: 'audit', ...result }, null, 2) : formatAudit(result);
  } finally {
    auditChannel.close();
  }
}

async function slack(o: Opts, nats: Nats | undefined): Promise<string> {
  if (!nats) throw new Error('slack mode publishes events on the platform NATS: drop --no-drain');
  if (!(o.channels >= 1 && o.channels <= 100_000)) program.error('--channels must be 1..100000');
  const opts = { rate: o.rate ?? 200, seconds: o.duration, channels: o.channels, faultSeconds: o.faultSeconds, sinkUrl: o.slackSink, tenant: o.tenant, settleSeconds: o.settleSeconds };
  const phases = await slackBench(opts, nats, (line) => (o.json ? undefined : process.stderr.write(`${line}\n`)));
  if (!o.json) return formatSlack(opts, phases);
  return JSON.stringify(
    {
      mode: 'slack',
      ...opts,
      phases: phases.map((p) => ({ name: p.name, sent: p.sent, received: p.received, lost: p.lost, duplicates: p.duplicates, p50: p.latency.p(50), p95: p.latency.p(95), p99: p.latency.p(99), max: p.latency.max() })),
    },
    null,
    2,
  );
}

/** create → approve → (grant written); returns the request id. Step latencies go to `steps` when given. */
async function lifecycle(
  o: Opts,
  c: { requester: ApprovalsClient; approver: ApprovalsClient },
  resource: string,
  steps?: { create: Latency; approve: Latency; grant: Latency },
): Promise<string> {
  const t0 = process.hrtime.bigint();
  const res = await c.requester.createRequest({ tenant: o.tenant, action: o.action, resource, justification: 'benchmark', idempotencyKey: '' });
  steps?.create.record(t0);
  if (!res.request) throw new Error(`no request created: ${res.reason}`);
  const t1 = process.hrtime.bigint();
  await c.approver.approve({ tenant: o.tenant, id: res.request.id, comment: 'verified' });
  steps?.approve.record(t1);
  if (o.waitGrant) {
    // The grant is written asynchronously by the approvals-grants consumer.
    const t2 = process.hrtime.bigint();
    await waitForGrant(c.requester, { tenant: o.tenant, id: res.request.id }, { timeoutMs: 60_000 });
    steps?.grant.record(t2);
  }
  return res.request.id;
}

async function lifecycleMode(o: Opts, c: { requester: ApprovalsClient; approver: ApprovalsClient }, run: string, nats: Nats | undefined): Promise<string> {
  // One warm-up lifecycle proves the setup (tenant, policy, approver) before measuring.
  await lifecycle(o, c, `bench/${run}/warmup`);

  const steps = { create: new Latency(), approve: new Latency(), grant: new Latency() };
  const total = new Latency();
  const bar = o.json ? undefined : new SingleBar({ format: 'bench |{bar}| {percentage}% {value}/{total}s  {lifecycles} lifecycles  {rate}/s', hideCursor: true }, Presets.shades_classic);
  const seconds = o.duration;
  const processes = platformProcesses(join(stateDir, 'pids.json'));
  const cpuBefore = sampleCpu(processes);
  bar?.start(seconds, 0, { lifecycles: 0, rate: 0 });
  const started = process.hrtime.bigint();
  let n = 0;
  const ticker = setInterval(() => {
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    bar?.update(Math.min(seconds, Math.floor(elapsed)), { lifecycles: total.count, rate: (total.count / elapsed).toFixed(0) });
  }, 500);
  /** One measured lifecycle; the total counts from `fromNs` (the scheduled start in open loop). */
  const one = async (fromNs: bigint) => {
    try {
      await lifecycle(o, c, `bench/${run}/${n++}`, steps);
      total.record(fromNs);
    } catch (err) {
      fail(err);
    }
  };
  let paced: BenchReport['paced'];
  if (o.rate !== undefined) {
    paced = { target: o.rate, ...(await openLoop({ rate: o.rate, seconds, maxInFlight: o.concurrency }, one)) };
  } else {
    const deadline = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < deadline) await one(process.hrtime.bigint());
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  }
  clearInterval(ticker);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  bar?.update(seconds, { lifecycles: total.count, rate: (total.count / elapsed).toFixed(0) });
  bar?.stop();
  const drainSeconds = nats ? await waitForDrain(nats, STREAM_PREFIX) : undefined;
  const cpuAfter = sampleCpu(processes);

  const report: BenchReport = {
    concurrency: o.concurrency,
    seconds: elapsed,
    steps: [
      { step: 'create', latency: steps.create },
      { step: 'approve', latency: steps.approve },
      ...(o.waitGrant ? [{ step: 'approve→grant', latency: steps.grant }] : []),
      { step: o.waitGrant ? 'create→grant' : 'create→approve', latency: total },
    ],
    lifecycles: total.count,
    errors,
    ...(paced ? { paced } : {}),
    ...(processes.length ? { cpu: cpuReport(processes, cpuBefore, cpuAfter, 'lifecycle', total.count) } : {}),
    ...(drainSeconds !== undefined ? { drainSeconds } : {}),
  };
  return o.json ? JSON.stringify(reportJson(report), null, 2) : formatReport(report);
}

/**
 * The same questions asked repeatedly of authz over gRPC, and of OpenFGA directly
 * (HTTP Check) as the peer, against the same OpenFGA in one run:
 * - cached, protected: ALLOW by a grant (a protected action; every one audited);
 * - cached, routine: ALLOW below every protection condition (audit sampled);
 * - uncached: CONSISTENCY_FULL, every fact from OpenFGA (compare with the peer),
 *   protected (membership and grant, audited) and routine (membership only, sampled);
 * - BatchCheck of 100 protected items.
 */
async function checkMode(o: Opts, channel: ReturnType<typeof openChannel>, c: { requester: ApprovalsClient; approver: ApprovalsClient }, run: string): Promise<string> {
  const resource = `bench-check/${run}`;
  await lifecycle({ ...o, waitGrant: true }, c, resource);
  // A conditional action: below its threshold it is not protected (routine ALLOWs).
  const routineAction = `bench.routine_${run}`;
  const admin = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: 'bench-admin', tenant: o.tenant, roles: ['admin'] }));
  await admin.putPolicy({
    tenant: o.tenant,
    policy: approvalsv1.Policy.fromPartial({
      id: `bench-routine-${run}`,
      action: routineAction,
      approvers: [`user:${o.approver}`],
      grantDurationSeconds: '600',
      parametersSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
      tiers: [{ name: 'large', when: 'context.amount > 10000' }],
    }),
  });
  const authzChannel = openChannel(o.authz);
  const authz = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, devTokenSource(o.devKey, { subject: o.requester, tenant: o.tenant }));
  const question = { tenant: o.tenant, principal: o.requester, action: o.action, resource };
  const routine = { tenant: o.tenant, principal: o.requester, action: routineAction, resource, context: { amount: 1 } };
  const fresh = { ...question, consistency: authzv1.Consistency.CONSISTENCY_FULL };
  const freshRoutine = { ...routine, consistency: authzv1.Consistency.CONSISTENCY_FULL };
  const expect = async (q: Parameters<typeof authz.check>[0], want: authzv1.Decision) => {
    const got = (await authz.check(q)).decision;
    if (got !== want) throw new Error(`authz answers ${authzv1.Decision[got]} to ${JSON.stringify(q)}, not ${authzv1.Decision[want]}`);
  };
  await expect(question, authzv1.Decision.DECISION_ALLOW);
  await expect(routine, authzv1.Decision.DECISION_ALLOW);
  await expect(fresh, authzv1.Decision.DECISION_ALLOW);
  await expect(freshRoutine, authzv1.Decision.DECISION_ALLOW);
  const decision = 'DECISION_ALLOW';
  const fgaKey = existsSync(o.openfgaKeyFile) ? readFileSync(o.openfgaKeyFile, 'utf8').trim() : undefined;
  const storeId = await openFgaStoreId(o.openfga, o.fgaStore, fgaKey);
  const tuple = openFgaGrantCheck(o.tenant, o.requester, o.action, resource);
  if (!(await openFgaCheck(o.openfga, storeId, tuple, o.fgaConsistency, fgaKey))) throw new Error(`OpenFGA does not allow ${JSON.stringify(tuple)}: has authz's grant object naming changed?`);

  const processes = platformProcesses(join(stateDir, 'pids.json'));
  // itemsPerCall: a BatchCheck call decides that many checks; rates count checks, latencies calls.
  const phase = async (name: string, call: () => Promise<void>, itemsPerCall = 1) => {
    const latency = new Latency();
    if (!o.json) process.stderr.write(`${name}: ${o.concurrency} concurrent callers for ${o.duration} s…\n`);
    const before = sampleCpu(processes);
    const seconds = await closedLoop({ concurrency: o.concurrency, seconds: o.duration }, latency, call, fail);
    const cpu = processes.length ? cpuReport(processes, before, sampleCpu(processes), 'check', latency.count * itemsPerCall) : undefined;
    return { name, latency, seconds, cpu, checks: latency.count * itemsPerCall };
  };
  const batch = { tenant: o.tenant, items: Array.from({ length: 100 }, (_, i) => ({ principal: o.requester, action: o.action, resource, correlationId: String(i) })) };
  const phases = [
    await phase('authz Check, cached, protected (gRPC)', async () => {
      await authz.check(question);
    }),
    await phase('authz Check, cached, routine (gRPC)', async () => {
      await authz.check(routine);
    }),
    await phase('authz Check, uncached: CONSISTENCY_FULL (gRPC)', async () => {
      await authz.check(fresh);
    }),
    // Uncached, but no condition holds: one OpenFGA call (membership) and a sampled audit
    // record, against the peer's one call; the protected one above also waits for its audit ack.
    await phase('authz Check, uncached, routine: CONSISTENCY_FULL (gRPC)', async () => {
      await authz.check(freshRoutine);
    }),
    await phase(`OpenFGA Check (HTTP, ${o.fgaConsistency})`, async () => {
      await openFgaCheck(o.openfga, storeId, tuple, o.fgaConsistency, fgaKey);
    }),
    // The facts authz's uncached Check reads, asked of OpenFGA directly the same way:
    // membership (Check) and the grant's window (Read), in parallel.
    await phase(`OpenFGA membership Check + grant Read in parallel (HTTP)`, async () => {
      await Promise.all([
        openFgaCheck(o.openfga, storeId, { user: tuple.user, relation: 'member', object: `tenant:${o.tenant}` }, o.fgaConsistency, fgaKey),
        openFgaRead(o.openfga, storeId, { user: tuple.user, relation: 'grantee', object: tuple.object }, fgaKey),
      ]);
    }),
    await phase(
      'authz BatchCheck of 100 (gRPC)',
      async () => {
        const { results } = await authz.batchCheck(batch);
        if (results.length !== 100 || results.some((r) => r.errorCode)) throw new Error('a BatchCheck item was refused');
      },
      100,
    ),
  ];
  const median = (name: string) => phases.find((p) => p.name.startsWith(name))?.latency.p(50) ?? NaN;
  const ratio = median('authz Check, uncached: CONSISTENCY_FULL') / median('OpenFGA Check');
  const routineRatio = median('authz Check, uncached, routine') / median('OpenFGA Check');
  const sameFactsRatio = median('authz Check, uncached: CONSISTENCY_FULL') / median('OpenFGA membership Check');
  authzChannel.close();

  if (o.json) {
    return JSON.stringify(
      {
        mode: 'check',
        concurrency: o.concurrency,
        question: { ...question, decision, routineAction, openfga: { storeId, ...tuple, consistency: o.fgaConsistency } },
        uncachedToOpenFgaMedian: ratio,
        uncachedRoutineToOpenFgaMedian: routineRatio,
        uncachedToSameFactsMedian: sameFactsRatio,
        phases: phases.map((p) => ({ name: p.name, seconds: p.seconds, checksPerSecond: p.checks / p.seconds, ...stepsJson([{ step: 'check', latency: p.latency }], p.seconds), cpu: p.cpu })),
        errors: Object.fromEntries(errors),
      },
      null,
      2,
    );
  }
  const errorText = [...errors.entries()].map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
  return [
    `Check ${o.requester} ${o.action} ${resource} (authz decision ${decision}), ${o.concurrency} concurrent callers, ${o.duration} s per phase`,
    ...formatTable([latencyHeader, ...phases.flatMap((p) => latencyRows([{ step: p.name, latency: p.latency }], p.seconds))]),
    ...phases.map((p) => `${p.name}: ${(p.checks / p.seconds).toFixed(0)} checks/s`),
    `uncached authz Check median / OpenFGA Check median: ${ratio.toFixed(2)}× (protected: two OpenFGA calls and an acknowledged audit record)`,
    `uncached routine authz Check median / OpenFGA Check median: ${routineRatio.toFixed(2)}× (one OpenFGA call, audit sampled)`,
    `uncached authz Check median / OpenFGA membership Check + grant Read median: ${sameFactsRatio.toFixed(2)}×`,
    `errors: ${errorText}`,
    ...phases.flatMap((p) => (p.cpu ? [`${p.name} — ${formatCpu(p.cpu)}`] : [])),
  ].join('\n');
}

/** authz's decision path in this process (check-inproc.ts): the cache hit without gRPC. */
async function checkInProcessMode(o: Opts): Promise<string> {
  const phases = await inProcessCheckBench(
    {
      concurrency: o.concurrency,
      seconds: o.duration,
      natsUrl: o.inprocNats,
      redisUrl: o.inprocRedis,
      openfgaUrl: o.openfga,
      openfgaKeyFile: existsSync(o.openfgaKeyFile) ? o.openfgaKeyFile : undefined,
    },
    fail,
  );
  if (o.json) {
    return JSON.stringify(
      {
        mode: 'check-inproc',
        concurrency: o.concurrency,
        phases: phases.map((p) => ({ name: p.name, seconds: p.seconds, checksPerSecond: p.checks / p.seconds, cpuMicrosPerCheck: (p.cpuSeconds * 1e6) / p.checks, ...stepsJson([{ step: 'check', latency: p.latency }], p.seconds) })),
        errors: Object.fromEntries(errors),
      },
      null,
      2,
    );
  }
  return [
    `authz decision path in process (no gRPC), ${o.concurrency} concurrent callers, ${o.duration} s per phase`,
    ...formatTable([latencyHeader, ...phases.flatMap((p) => latencyRows([{ step: p.name, latency: p.latency }], p.seconds))]),
    ...phases.map((p) => `${p.name}: ${(p.checks / p.seconds).toFixed(0)} checks/s, ${((p.cpuSeconds * 1e6) / p.checks).toFixed(0)} µs CPU per check (this process)`),
    `errors: ${[...errors.entries()].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`,
  ].join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err instanceof ClientError ? `${Status[err.code]}: ${err.details}` : err.message}\n(is the platform running? make up)\n`);
  process.exit(1);
});

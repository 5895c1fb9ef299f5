/**
 * `make bench`: drives create → approve (→ grant written) over gRPC against the running platform
 * (`make up`) at a given concurrency for a given duration, then prints throughput
 * and p50/p95/p99 latency per step. Example:
 *   make bench BENCH_ARGS="--concurrency 32 --duration 30"
 */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ClientError, Status } from 'nice-grpc';
import { createGrpcClient, devTokenSource, openChannel } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { Latency } from './histogram.js';
import { formatReport, reportJson, type BenchReport } from './report.js';
import { waitForGrant } from './wait-grant.js';

const program = new Command('assent-bench')
  .description('Load-test the approval lifecycle (create → approve) against a running Assent')
  .addOption(new Option('-c, --concurrency <n>', 'concurrent lifecycles in flight').default(16).argParser(Number))
  .addOption(new Option('-d, --duration <seconds>', 'how long to run').default(20).argParser(Number))
  .option('--approvals <addr>', 'approvals gRPC address', process.env['ASSENT_APPROVALS_ADDR'] ?? '127.0.0.1:50051')
  .option('--tenant <id>', 'tenant', 'acme')
  .option('--action <action>', 'protected action', 'payouts.change_details')
  .option('--requester <user>', 'requesting user', 'alice')
  .option('--approver <user>', 'approving user', 'bob')
  .option('--dev-key <file>', 'dev issuer key written by make up', process.env['ASSENT_DEV_ISSUER_KEY_FILE'] ?? '.assent/dev-issuer.json')
  .option('--no-wait-grant', 'end a lifecycle at approve instead of when the grant is written')
  .option('--json', 'print the report as JSON');

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ concurrency: number; duration: number; approvals: string; tenant: string; action: string; requester: string; approver: string; devKey: string; waitGrant: boolean; json?: boolean }>();
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 1024) program.error('--concurrency must be 1..1024');
  if (!(o.duration > 0 && o.duration <= 600)) program.error('--duration must be 1..600 seconds');

  const channel = openChannel(o.approvals);
  const requester = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: o.requester, tenant: o.tenant }));
  const approver = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, devTokenSource(o.devKey, { subject: o.approver, tenant: o.tenant }));
  const run = randomBytes(4).toString('hex');

  const create = new Latency();
  const approve = new Latency();
  const grant = new Latency();
  const lifecycle = new Latency();
  const errors = new Map<string, number>();
  const fail = (err: unknown) => {
    const key = err instanceof ClientError ? Status[err.code] : (err as Error).name;
    errors.set(key ?? 'UNKNOWN', (errors.get(key ?? 'UNKNOWN') ?? 0) + 1);
  };

  // One warm-up lifecycle proves the setup (tenant, policy, approver) before measuring.
  const warm = await requester.createRequest({ tenant: o.tenant, action: o.action, resource: `bench/${run}/warmup`, justification: 'benchmark', idempotencyKey: '' });
  if (!warm.request) throw new Error(`warm-up create returned no request: ${warm.reason}`);
  await approver.approve({ tenant: o.tenant, id: warm.request.id, comment: 'benchmark' });

  const bar = o.json ? undefined : new SingleBar({ format: 'bench |{bar}| {percentage}% {value}/{total}s  {lifecycles} lifecycles  {rate}/s', hideCursor: true }, Presets.shades_classic);
  const seconds = o.duration;
  bar?.start(seconds, 0, { lifecycles: 0, rate: 0 });
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  const ticker = setInterval(() => {
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    bar?.update(Math.min(seconds, Math.floor(elapsed)), { lifecycles: lifecycle.count, rate: (lifecycle.count / elapsed).toFixed(0) });
  }, 500);

  async function worker(): Promise<void> {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        const res = await requester.createRequest({ tenant: o.tenant, action: o.action, resource: `bench/${run}/${n++}`, justification: 'benchmark', idempotencyKey: '' });
        create.record(t0);
        if (!res.request) throw new Error('no request created');
        const t1 = process.hrtime.bigint();
        await approver.approve({ tenant: o.tenant, id: res.request.id, comment: '' });
        approve.record(t1);
        if (o.waitGrant) {
          // The grant is written asynchronously by the approvals-grants consumer.
          const t2 = process.hrtime.bigint();
          await waitForGrant(requester, { tenant: o.tenant, id: res.request.id }, { timeoutMs: 60_000 });
          grant.record(t2);
        }
        lifecycle.record(t0);
      } catch (err) {
        fail(err);
      }
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  clearInterval(ticker);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  bar?.update(seconds, { lifecycles: lifecycle.count, rate: (lifecycle.count / elapsed).toFixed(0) });
  bar?.stop();
  channel.close();

  const report: BenchReport = {
    concurrency: o.concurrency,
    seconds: elapsed,
    steps: [
      { step: 'create', latency: create },
      { step: 'approve', latency: approve },
      ...(o.waitGrant ? [{ step: 'approve→grant', latency: grant }] : []),
      { step: o.waitGrant ? 'create→grant' : 'create→approve', latency: lifecycle },
    ],
    lifecycles: lifecycle.count,
    errors,
  };
  process.stdout.write(`${o.json ? JSON.stringify(reportJson(report), null, 2) : formatReport(report)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err instanceof ClientError ? `${Status[err.code]}: ${err.details}` : err.message}\n(is the platform running? make up)\n`);
  process.exit(1);
});

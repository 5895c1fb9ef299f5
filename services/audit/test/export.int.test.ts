import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status, type ClientError } from 'nice-grpc';
import { BadRequest, type RichClientError } from 'nice-grpc-error-details';
import { ExportVerifier, connectNats, createGrpcClient, createLogger, createRedis, names, openChannel, staticToken, type Channel, type Nats, type Redis } from '@assent/platform';
import { auditv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startNatsServer, startTestIssuer, testEnv, uniqueRoot, type TestIssuer } from '@assent/testkit';
import { JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { JetStreamExportFiles } from '../src/adapters/jetstream/export-files.js';
import { JetStreamExportJobs } from '../src/adapters/jetstream/export-jobs.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import { loadConfig } from '../src/config.js';
import { startAudit, type RunningAudit } from '../src/main.js';
import { exportStoreContract, pendingJob } from './contract/export-store.contract.js';
import { eventually } from './support/eventually.js';
import { appendRecords } from './support/export-deps.js';

const root = uniqueRoot();
const n = names(root);
let issuer: TestIssuer;
let audit: RunningAudit | undefined;
let channel: Channel | undefined;
let nats: Nats;
let redis: Redis;
const logger = createLogger('audit-export-test', 'silent');

async function startWith(env: Record<string, string> = {}) {
  channel?.close();
  await audit?.stop();
  audit = await startAudit(
    loadConfig({ ...commonTestEnv(root, issuer), AUDIT_GRPC_PORT: '0', AUDIT_HTTP_PORT: '0', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', AUDIT_EXPORT_INTERVAL_MS: '100', ...env }),
  );
  channel = openChannel(`127.0.0.1:${audit.grpcPort}`);
}

const client = async (claims: { subject: string; tenant: string; roles?: string[] }) =>
  createGrpcClient(auditv1.AuditServiceDefinition, channel!, staticToken(await issuer.token(claims)));
const auditor = () => client({ subject: 'ann', tenant: 'acme', roles: ['auditor'] });

async function succeeded(exportId: string) {
  const c = await auditor();
  return eventually(async () => {
    const { job } = await c.getExport({ tenant: 'acme', exportId });
    expect(job?.state).toBe(auditv1.ExportState.EXPORT_STATE_SUCCEEDED);
    return job!;
  }, 30_000);
}

async function download(exportId: string): Promise<{ text: string; chunks: number }> {
  const parts: Buffer[] = [];
  let expected = 0;
  for await (const { data, offset } of (await auditor()).downloadExport({ tenant: 'acme', exportId })) {
    expect(offset).toBe(String(expected));
    parts.push(Buffer.from(data));
    expected += data.length;
  }
  return { text: Buffer.concat(parts).toString('utf8'), chunks: parts.length };
}

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  issuer = await startTestIssuer();
  nats = await connectNats(testEnv.natsUrl, 'audit-export-test', logger);
  redis = createRedis(testEnv.redisUrl, root);
});

afterAll(async () => {
  channel?.close();
  await audit?.stop();
  await nats?.drain();
  redis?.disconnect();
  await Promise.all([issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

let t = 0;
exportStoreContract(
  'jetstream',
  async () => ({ jobs: await JetStreamExportJobs.open(nats, n, logger), files: await JetStreamExportFiles.open(nats, n) }),
  () => `contract${++t}`,
);

describe('export jobs in JetStream KV', () => {
  it('finds a job created on another replica before its watch delivers it', async () => {
    const [a, b] = [await JetStreamExportJobs.open(nats, n, logger), await JetStreamExportJobs.open(nats, n, logger)];
    try {
      const job = pendingJob('acme');
      const revision = await a.create(job);
      expect(await b.get(job.id)).toEqual({ value: job, revision });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('export jobs over gRPC and JetStream', () => {
  it('exports a chain spanning many chunks, streams it down, and it verifies offline with the published keys', async () => {
    await startWith();
    const log = await JetStreamAuditLog.open(nats, n, new RedisEventIndex(redis));
    await appendRecords(log, 'acme', 3000);
    const c = await auditor();
    const { job: created } = await c.createExport({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON });
    expect(created).toMatchObject({ tenant: 'acme', state: auditv1.ExportState.EXPORT_STATE_PENDING, contiguous: true, createdBy: expect.stringContaining('ann') });
    const job = await succeeded(created!.exportId);
    expect(job).toMatchObject({ throughSequence: '3000', recordsWritten: '3000', progress: 1, attempt: 1 });
    const { text, chunks } = await download(job.exportId);
    expect(chunks).toBeGreaterThan(5);
    expect(String(Buffer.byteLength(text))).toBe(job.sizeBytes);
    const keys = (await c.listSigningKeys({})).keys.map((k) => ({ keyId: k.keyId, jwk: JSON.parse(k.publicJwk) as never, validFrom: k.validFrom, validUntil: k.validUntil, current: k.current }));
    const verifier = new ExportVerifier(keys);
    for (const line of text.trimEnd().split('\n')) verifier.next(line);
    expect(verifier.result()).toMatchObject({ valid: true, records: 3000, signedThrough: 3000, keySource: 'given' });
    expect((await c.listExports({ tenant: 'acme' })).jobs.map((j) => j.exportId)).toContain(job.exportId);
  });

  it('refuses another tenant’s export and bad input, naming the field', async () => {
    const c = await auditor();
    const { job } = await c.createExport({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_CSV, eventType: 'assent.approval.decided.v1' });
    const globex = await client({ subject: 'gus', tenant: 'globex', roles: ['admin'] });
    const denied = (await globex.getExport({ tenant: 'globex', exportId: job!.exportId }).catch((e: unknown) => e)) as ClientError;
    expect(denied.code).toBe(Status.PERMISSION_DENIED);
    const stream = globex.downloadExport({ tenant: 'globex', exportId: job!.exportId });
    const refused = (await stream[Symbol.asyncIterator]().next().catch((e: unknown) => e)) as ClientError;
    expect(refused.code).toBe(Status.PERMISSION_DENIED);
    const bad = (await c.createExport({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_UNSPECIFIED }).catch((e: unknown) => e)) as RichClientError;
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    const fields = bad.extra.filter((d) => d.$type === BadRequest.$type).flatMap((d) => (d as BadRequest).fieldViolations.map((v) => v.field));
    expect(fields).toEqual(['format']);
    const csv = await succeeded(job!.exportId);
    const { text } = await download(csv.exportId);
    expect(text.trimEnd().split('\r\n')).toHaveLength(1 + 1500);
  });

  it('restarts a job a stopped replica left RUNNING, on another replica', async () => {
    const jobs = await JetStreamExportJobs.open(nats, n, logger);
    // A replica claimed this job a minute ago, then died without a heartbeat since.
    const dead = pendingJob('acme', { filters: {}, state: 'RUNNING', attempt: 1, heartbeatAt: new Date(Date.now() - 60_000), updatedAt: new Date(Date.now() - 60_000) });
    await jobs.create(dead);
    await jobs.stop();
    await startWith({ AUDIT_EXPORT_STALE_MS: '5000' });
    const job = await succeeded(dead.id);
    expect(job).toMatchObject({ attempt: 2, recordsWritten: '3000' });
  });

  it('hands a running export back when its replica stops, and the next replica finishes it', async () => {
    await startWith();
    const log = await JetStreamAuditLog.open(nats, n, new RedisEventIndex(redis));
    await appendRecords(log, 'acme', 30_000);
    const c = await auditor();
    const { job } = await c.createExport({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_CSV });
    await eventually(async () => expect((await c.getExport({ tenant: 'acme', exportId: job!.exportId })).job?.state).toBe(auditv1.ExportState.EXPORT_STATE_RUNNING));
    await audit!.stop(); // SIGTERM's path: the worker stops first and hands the job back
    audit = undefined;
    const jobs = await JetStreamExportJobs.open(nats, n, logger);
    expect((await jobs.get(job!.exportId))?.value).toMatchObject({ state: 'PENDING', attempt: 0 });
    await jobs.stop();
    await startWith();
    const done = await succeeded(job!.exportId);
    expect(done).toMatchObject({ attempt: 1, recordsWritten: '33000' });
  }, 90_000);

  it('needs no NATS rights beyond the audit user’s (a private server with a user per service)', async () => {
    const server = await startNatsServer({ auth: { root } });
    const privateRoot = root; // the permissions are per root: the same names on another server
    let own: RunningAudit | undefined;
    let ch: Channel | undefined;
    try {
      await registerTenants(privateRoot, ['acme'], server.url);
      own = await startAudit(
        loadConfig({ ...commonTestEnv(privateRoot, issuer), ASSENT_NATS_URL: server.urlFor('audit'), AUDIT_GRPC_PORT: '0', AUDIT_HTTP_PORT: '0', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', AUDIT_EXPORT_INTERVAL_MS: '100' }),
      );
      ch = openChannel(`127.0.0.1:${own.grpcPort}`);
      const c = createGrpcClient(auditv1.AuditServiceDefinition, ch, staticToken(await issuer.token({ subject: 'ann', tenant: 'acme', roles: ['auditor'] })));
      const { job } = await c.createExport({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON });
      await eventually(async () => expect((await c.getExport({ tenant: 'acme', exportId: job!.exportId })).job?.state).toBe(auditv1.ExportState.EXPORT_STATE_SUCCEEDED), 30_000);
      const parts: Uint8Array[] = [];
      for await (const { data } of c.downloadExport({ tenant: 'acme', exportId: job!.exportId })) parts.push(data);
      expect(Buffer.concat(parts).toString('utf8')).toContain('"kind":"end"');
      expect(await server.permissionViolations()).toEqual([]);
    } finally {
      ch?.close();
      await own?.stop();
      await server.stop();
    }
  });
});

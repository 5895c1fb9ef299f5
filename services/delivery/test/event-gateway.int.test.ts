/**
 * Outside consumers on the event gateway, as they would run: each reads with its own
 * credentials, in its own process (the documented example consumer), from a real
 * nats-server in operator mode. A tenant's consumer sees its tenant's events and
 * nothing else, cannot write anything, and is cut off when its credential is revoked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { connectNats, createGrpcClient, createLogger, EventPublisher, names, newEvent, openChannel, staticToken, type Channel, type Nats } from '@assent/platform';
import { deliveryv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startEventGateway, startTestIssuer, testEnv, uniqueRoot, type RunningEventGateway, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startDelivery, type RunningDelivery } from '../src/main.js';

const root = uniqueRoot();
const example = fileURLToPath(new URL('../../../packages/cli/examples/event-consumer.mjs', import.meta.url));
const probe = fileURLToPath(new URL('./fixtures/outside-consumer-probe.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'assent-outside-consumers-'));
let gateway: RunningEventGateway;
let issuer: TestIssuer;
let delivery: RunningDelivery;
let channel: Channel;
let nats: Nats;
let publisher: EventPublisher;
const children: ReturnType<typeof spawn>[] = [];

const adminOf = async (tenant: string) => createGrpcClient(deliveryv1.DeliveryServiceDefinition, channel, staticToken(await issuer.token({ subject: `admin@${tenant}`, tenant, roles: ['admin'] })));

async function credential(tenant: string, consumer: string) {
  const res = await (await adminOf(tenant)).createStreamCredential({ tenant, consumer });
  const file = join(dir, `${tenant}-${res.credential?.id}.creds`);
  writeFileSync(file, res.creds, { mode: 0o600 });
  return { ...res, file };
}

async function publish(tenant: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const event = newEvent({ type: 'assent.approval.decided.v1', service: 'approvals', subject: `request/${tenant}-${i}`, tenant, data: { n: i } });
    await publisher.publish(event);
    ids.push(event.id);
  }
  if (tenant === 'acme') acmeStream.push(...ids);
  return ids;
}

/** Runs a script as an outside process; resolves with its output lines and exit code. */
function run(script: string, args: string[], opts: { timeoutMs?: number; onLine?: (line: string) => void } = {}) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const parts = (partial + b.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      opts.onLine?.(l);
    }
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; lines: string[]; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines, stderr });
    });
  });
  return { child, done, lines };
}

const consumerArgs = (c: { url: string; file: string; apiPrefix: string }, consumer: string, count?: number) => [
  '--url', c.url, '--creds', c.file, '--consumer', consumer, '--api-prefix', c.apiPrefix, ...(count ? ['--count', String(count)] : []),
];
/** Every acme event published since acme's stream exists (its first credential, in the first test). */
const acmeStream: string[] = [];
const eventIdsOf = (lines: string[]) => lines.filter(Boolean).map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  [gateway, issuer] = await Promise.all([startEventGateway(), startTestIssuer()]);
  delivery = await startDelivery(loadConfig({ ...commonTestEnv(root, issuer), ...gateway.deliveryEnv, DELIVERY_GRPC_PORT: '0', DELIVERY_HTTP_PORT: '0' }));
  channel = openChannel(`127.0.0.1:${delivery.grpcPort}`);
  nats = await connectNats(testEnv.natsUrl, 'gateway-test', createLogger('gateway-test', 'silent'));
  publisher = new EventPublisher(nats.js, names(root));
}, 60_000);

afterAll(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  channel?.close();
  await delivery?.stop();
  await nats?.drain();
  await Promise.allSettled([gateway?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
}, 30_000);

describe('outside consumers on the event gateway', () => {
  it('reads its own tenant’s events, in order, from a durable consumer in a separate process', async () => {
    const acme = await credential('acme', 'siem');
    const globex = await credential('globex', 'siem');
    expect(acme).toMatchObject({ url: gateway.url, stream: 'EVENTS', subjects: `${root}.evt.acme.>`, apiPrefix: 'ASSENT.JS.API' });
    expect(acme.creds).toMatch(/BEGIN NATS USER JWT[\s\S]*BEGIN USER NKEY SEED/);
    const globexIds = await publish('globex', 2);
    const acmeIds = await publish('acme', 3);

    const read = await run(example, consumerArgs(acme, 'siem', 3)).done;
    expect(read.code, read.stderr).toBe(0);
    expect(eventIdsOf(read.lines)).toEqual(acmeIds);
    for (const l of read.lines.filter(Boolean)) expect((JSON.parse(l) as { subject: string }).subject).toBe(`${root}.evt.acme.approval.decided`);
    const other = await run(example, consumerArgs(globex, 'siem', 2)).done;
    expect(eventIdsOf(other.lines)).toEqual(globexIds);

    // Acknowledged means done: the durable consumer continues after them; a new
    // credential for the same consumer (rotation) continues where it was.
    const next = await publish('acme', 1);
    const rotated = await credential('acme', 'siem');
    const after = await run(example, consumerArgs(rotated, 'siem', 1)).done;
    expect(eventIdsOf(after.lines)).toEqual(next);
  });

  it('refuses every write, every other subject and consumer creation, by the server itself', async () => {
    const acme = await credential('acme', 'probe');
    await credential('globex', 'ledger');
    await publish('acme', 1);
    const args = ['--url', acme.url, '--creds', acme.file, '--api-prefix', acme.apiPrefix, '--root', root, '--tenant', 'acme', '--consumer', 'probe', '--other', 'globex', '--other-consumer', 'ledger'];
    const { code, lines, stderr } = await run(probe, args).done;
    expect(code, stderr).toBe(0);
    const parsed = lines.filter(Boolean).map((l) => JSON.parse(l) as { attempt?: string; refused?: boolean; error?: string; sent?: string });
    const results = parsed.filter((r): r is { attempt: string; refused: boolean; error?: string } => r.attempt !== undefined);
    expect(results.length).toBeGreaterThanOrEqual(13);
    for (const r of results) expect(r.refused, `${r.attempt} was allowed`).toBe(true);
    // Refused by nats-server's permissions; and another tenant's consumer does not exist in this account at all.
    for (const r of results.slice(0, -1)) expect(r.error, r.attempt).toMatch(/Permissions Violation/);
    expect(results.at(-1)).toMatchObject({ attempt: 'read consumer ledger of globex', error: expect.stringMatching(/consumer not found/) });
    // Then it aimed replies at the stream (forged acks answered to PURGE and DELETE, a
    // pull answered onto the stream's subjects): across the reader account's imports the
    // server rewrites reply subjects, so the stream holds exactly the tenant's events.
    expect(parsed.at(-1)?.sent).toBe('replies aimed at the stream and its API');
    const check = await credential('acme', 'integrity');
    const all = await run(example, consumerArgs(check, 'integrity', acmeStream.length + 1), { timeoutMs: 4_000 }).done;
    expect(eventIdsOf(all.lines)).toEqual(acmeStream);
  });

  it('cuts a revoked credential off at once, and the next connect is refused; others keep reading', async () => {
    const doomed = await credential('acme', 'audit-feed');
    const kept = await credential('acme', 'billing');
    const reader = run(example, consumerArgs(doomed, 'audit-feed'));
    const ids = await publish('acme', 1);
    // A new consumer starts at the beginning of the tenant's stream: it reads up to the new event.
    await expect.poll(() => eventIdsOf(reader.lines).at(-1), { timeout: 10_000 }).toBe(ids[0]);

    const api = await adminOf('acme');
    const { credential: revoked } = await api.revokeStreamCredential({ tenant: 'acme', id: doomed.credential?.id ?? '' });
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    const ended = await reader.done;
    expect(ended.code).toBe(2);
    expect(ended.stderr).toMatch(/revoked|authorization/i);
    const again = await run(example, consumerArgs(doomed, 'audit-feed', 1), { timeoutMs: 10_000 }).done;
    expect(again.code).toBe(2);
    const still = await run(example, consumerArgs(kept, 'billing', 1)).done;
    expect(still.code, still.stderr).toBe(0);

    const { credentials } = await api.listStreamCredentials({ tenant: 'acme' });
    expect(credentials.find((c) => c.id === doomed.credential?.id)?.revokedAt).toBeInstanceOf(Date);
    expect(credentials.find((c) => c.id === kept.credential?.id)?.revokedAt).toBeUndefined();
    expect(JSON.stringify(credentials)).not.toContain('NKEY SEED');
  });

  it('refuses bad input and other tenants’ admins over gRPC, changing nothing', async () => {
    const api = await adminOf('acme');
    await expect(api.createStreamCredential({ tenant: 'acme', consumer: 'Not A Name' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect((await adminOf('globex')).listStreamCredentials({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const member = createGrpcClient(deliveryv1.DeliveryServiceDefinition, channel, staticToken(await issuer.token({ subject: 'bob', tenant: 'acme', roles: [] })));
    await expect(member.createStreamCredential({ tenant: 'acme', consumer: 'x' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(api.revokeStreamCredential({ tenant: 'acme', id: '01J00000000000000000000000' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status, type ClientError } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { EventPublisher, connectNats, createGrpcClient, createLogger, createRedis, names, newEvent, openChannel, staticToken, type Channel, type Nats, type Redis } from '@assent/platform';
import { auditv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startTestIssuer, testEnv, uniqueRoot, type TestIssuer } from '@assent/testkit';
import { JetStreamAuditLog } from '../src/adapters/jetstream/audit-log.js';
import { auditStreamName } from '../src/adapters/jetstream/audit-stream.js';
import { encodeCheckpoint } from '../src/adapters/jetstream/checkpoint-codec.js';
import { JetStreamCheckpointLog } from '../src/adapters/jetstream/checkpoint-log.js';
import { checkpointStreamName, checkpointSubject } from '../src/adapters/jetstream/checkpoint-stream.js';
import { RedisEventIndex } from '../src/adapters/redis/event-index.js';
import type { Checkpoint } from '../src/domain/checkpoint.js';
import { recordHash } from '../src/domain/record-hash.js';
import type { AuditRecord } from '../src/domain/types.js';
import { loadConfig } from '../src/config.js';
import { startAudit, type RunningAudit } from '../src/main.js';
import { eventually } from './support/eventually.js';
import { collect } from './support/records.js';

const root = uniqueRoot();
const n = names(root);
const keyDir = mkdtempSync(join(tmpdir(), 'audit-checkpoint-keys-'));
let issuer: TestIssuer;
let audit: RunningAudit | undefined;
let channel: Channel | undefined;
/** A connection without the audit user's limits: the attacker with write access to NATS. */
let privileged: Nats;
let redis: Redis;
let publisher: EventPublisher;

/** An Ed25519 JWK key file with this kid, and its public half. */
function keyFile(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const path = join(keyDir, `${kid}.jwk`);
  writeFileSync(path, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid }), { mode: 0o600 });
  return { path, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid } };
}

async function startWith(env: Record<string, string>) {
  channel?.close();
  await audit?.stop();
  // The schedule only runs when the test asks (checkpointNow), so positions are exact.
  audit = await startAudit(loadConfig({ ...commonTestEnv(root, issuer), AUDIT_GRPC_PORT: '0', AUDIT_HTTP_PORT: '0', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', ...env }));
  channel = openChannel(`127.0.0.1:${audit.grpcPort}`);
}

const client = async (claims: { subject: string; tenant: string; roles?: string[] }) =>
  createGrpcClient(auditv1.AuditServiceDefinition, channel!, staticToken(await issuer.token(claims)));
const auditor = () => client({ subject: 'ann', tenant: 'acme', roles: ['auditor'] });

let published = 0;
async function publish(count: number) {
  for (let i = 0; i < count; i++) {
    published++;
    await publisher.publish(newEvent({ type: 'assent.policy.updated.v1', service: 'approvals', subject: `policy/p${published}`, tenant: 'acme', data: { tenant: 'acme', policy: { id: `p${published}` } } }));
  }
  const c = await auditor();
  await eventually(async () => expect((await c.verifyChain({ tenant: 'acme' })).records).toBe(String(published)));
}

/** Deletes and recreates a stream with the privileged connection: deny_delete stops message deletes, not this. */
async function rebuildCheckpoints(checkpoints: Checkpoint[]) {
  await privileged.jsm.streams.delete(checkpointStreamName(n));
  await JetStreamCheckpointLog.open(privileged, n);
  for (const cp of checkpoints) await privileged.js.publish(checkpointSubject(n, 'acme'), encodeCheckpoint(cp));
}

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  issuer = await startTestIssuer();
  privileged = await connectNats(testEnv.natsUrl, 'audit-attacker', createLogger('audit-test', 'silent'));
  redis = createRedis(testEnv.redisUrl, root);
  publisher = new EventPublisher(privileged.js, n);
});

afterAll(async () => {
  channel?.close();
  await audit?.stop();
  await privileged?.drain();
  redis?.disconnect();
  rmSync(keyDir, { recursive: true, force: true });
  await Promise.all([issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('signed checkpoints over gRPC and JetStream', () => {
  const first = keyFile('audit-k1');
  const second = keyFile('audit-k2');
  let signed: Checkpoint[] = [];

  it('signs on demand for an auditor and publishes the public key', async () => {
    await startWith({ AUDIT_SIGNING_KEY_FILE: first.path });
    await publish(2);
    const c = await auditor();
    const { checkpoint, created } = await c.createCheckpoint({ tenant: 'acme' });
    expect(created).toBe(true);
    expect(checkpoint).toMatchObject({ tenant: 'acme', index: '1', sequence: '2', keyId: 'audit-k1', prevCheckpointHash: '' });
    expect(checkpoint!.hash).toMatch(/^[0-9a-f]{64}$/);
    // The head has not moved: the same checkpoint, nothing new signed.
    expect(await c.createCheckpoint({ tenant: 'acme' })).toEqual({ checkpoint, created: false });
    const { keys } = await c.listSigningKeys({});
    expect(keys).toEqual([{ keyId: 'audit-k1', publicJwk: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: first.publicJwk.x, kid: 'audit-k1' }), current: true, validFrom: undefined, validUntil: undefined }]);
  });

  it('answers bad input, another tenant and a missing role as existing RPCs do', async () => {
    const err = await (await auditor()).createCheckpoint({ tenant: 'Bad Tenant' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RichClientError);
    expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    expect(((err as RichClientError).extra.find((d) => d.$type === BadRequest.$type) as BadRequest).fieldViolations.map((v) => v.field)).toEqual(['tenant']);
    const intruder = await client({ subject: 'mallory', tenant: 'globex', roles: ['auditor'] });
    await expect(intruder.createCheckpoint({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const member = await client({ subject: 'alice', tenant: 'acme' });
    await expect(member.createCheckpoint({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(intruder.createCheckpoint({ tenant: 'globex' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION });
  });

  it('signs on the schedule only the heads that moved, and verifies records and checkpoints', async () => {
    await publish(3);
    await audit!.checkpointNow();
    const c = await auditor();
    expect(await c.verifyChain({ tenant: 'acme' })).toMatchObject({ valid: true, records: '5', checkpoints: '2', checkpointedSequence: '5', firstInvalidCheckpoint: '0', problem: '' });
    await audit!.checkpointNow();
    expect((await c.verifyChain({ tenant: 'acme' })).checkpoints).toBe('2');
  });

  it('signs the stored head from a replica that is not the one appending', async () => {
    const standby = await startAudit(loadConfig({ ...commonTestEnv(root, issuer), AUDIT_GRPC_PORT: '0', AUDIT_HTTP_PORT: '0', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', AUDIT_SIGNING_KEY_FILE: first.path }));
    const standbyChannel = openChannel(`127.0.0.1:${standby.grpcPort}`);
    try {
      const c = createGrpcClient(auditv1.AuditServiceDefinition, standbyChannel, staticToken(await issuer.token({ subject: 'ann', tenant: 'acme', roles: ['auditor'] })));
      // The first replica holds the consumer: the standby appends nothing and learns the head only by reading it.
      expect(await c.createCheckpoint({ tenant: 'acme' })).toMatchObject({ created: false, checkpoint: { index: '2', sequence: '5' } });
      await publish(1);
      expect((await c.createCheckpoint({ tenant: 'acme' })).checkpoint).toMatchObject({ index: '3', sequence: '6' });
    } finally {
      standbyChannel.close();
      await standby.stop();
    }
  });

  it('after a key rotation, still verifies the checkpoints the old key signed', async () => {
    const verifyKeys = join(keyDir, 'verify-keys.json');
    writeFileSync(verifyKeys, JSON.stringify({ keys: [{ ...first.publicJwk, until: new Date(Date.now() + 60_000).toISOString() }] }));
    await startWith({ AUDIT_SIGNING_KEY_FILE: second.path, AUDIT_VERIFY_KEYS_FILE: verifyKeys });
    await publish(1);
    const c = await auditor();
    expect((await c.createCheckpoint({ tenant: 'acme' })).checkpoint).toMatchObject({ index: '4', sequence: '7', keyId: 'audit-k2' });
    expect(await c.verifyChain({ tenant: 'acme' })).toMatchObject({ valid: true, records: '7', checkpoints: '4', checkpointedSequence: '7' });
    expect((await c.listSigningKeys({})).keys.map((k) => [k.keyId, k.current, k.validUntil !== undefined])).toEqual([
      ['audit-k2', true, false],
      ['audit-k1', false, true],
    ]);
    signed = await collect((await JetStreamCheckpointLog.open(privileged, n)).all('acme'));
    expect(signed.map((cp) => cp.keyId)).toEqual(['audit-k1', 'audit-k1', 'audit-k1', 'audit-k2']);
  });

  it('detects a checkpoint removed from the middle, and one whose signature was altered', async () => {
    const c = await auditor();
    await rebuildCheckpoints([signed[0]!, ...signed.slice(2)]);
    const removed = await c.verifyChain({ tenant: 'acme' });
    expect(removed).toMatchObject({ valid: false, checkpoints: '3', firstInvalidCheckpoint: '2', firstInvalidSequence: '0' });
    expect(removed.problem).toMatch(/checkpoint 2 is not linked to checkpoint 1/);

    const flipped = signed[1]!.signature.startsWith('A') ? `B${signed[1]!.signature.slice(1)}` : `A${signed[1]!.signature.slice(1)}`;
    await rebuildCheckpoints([signed[0]!, { ...signed[1]!, signature: flipped }, ...signed.slice(2)]);
    const altered = await c.verifyChain({ tenant: 'acme' });
    expect(altered).toMatchObject({ valid: false, firstInvalidCheckpoint: '2', firstInvalidSequence: '0' });
    expect(altered.problem).toMatch(/bad signature/);

    await rebuildCheckpoints(signed);
    expect((await c.verifyChain({ tenant: 'acme' })).valid).toBe(true);
  });

  it('detects a whole chain deleted and rewritten with every hash recomputed, where the checkpoints stop matching', async () => {
    const reader = await JetStreamAuditLog.open(privileged, n, new RedisEventIndex(redis));
    const original = await collect(reader.all('acme'));
    expect(original).toHaveLength(7);

    // The attacker deletes the audit stream (deny_delete only stops single-message
    // deletes), recreates it and appends a consistent forgery: record 3 edited, every
    // later hash and link recomputed, so the chain on its own verifies.
    await privileged.jsm.streams.delete(auditStreamName(n));
    const forger = await JetStreamAuditLog.open(privileged, n, new RedisEventIndex(redis));
    const forged: AuditRecord[] = [];
    for (const r of original) {
      const { hash: _, ...content } = r;
      const edited = { ...content, actor: r.sequence === 3 ? 'mallory' : r.actor, prevHash: forged.at(-1)?.hash ?? '' };
      forged.push({ ...edited, hash: recordHash(edited) });
    }
    await forger.append(forged, 0);
    expect((await collect(forger.all('acme'))).map((r) => r.actor)[2]).toBe('mallory');

    const result = await (await auditor()).verifyChain({ tenant: 'acme' });
    // Records 1-2 still match checkpoint 1; checkpoint 2 signed record 5, which is not the one there now.
    expect(result).toMatchObject({ valid: false, records: '7', checkpoints: '4', checkpointedSequence: '2', firstInvalidSequence: '5', firstInvalidCheckpoint: '2' });
    expect(result.problem).toMatch(/record 5 is not the one checkpoint 2 signed .*rewritten after record 2/);
  });
});

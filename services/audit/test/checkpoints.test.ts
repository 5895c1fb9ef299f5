import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, NotFoundError, PermissionDeniedError, type InvalidArgumentError } from '@assent/platform/domain';
import { checkpointHash, signedBytes } from '../src/domain/checkpoint.js';
import { createCheckpoint } from '../src/domain/commands/create-checkpoint.js';
import { listSigningKeys } from '../src/domain/commands/list-signing-keys.js';
import { recordEvent } from '../src/domain/commands/record-event.js';
import { verifyChain } from '../src/domain/commands/verify-chain.js';
import { KeyRing } from '../src/domain/key-ring.js';
import { recordHash } from '../src/domain/record-hash.js';
import type { AuditRecord } from '../src/domain/types.js';
import { memoryDeps, newKeyRing, service, sourceEvent, userOf } from './support/deps.js';
import { collect } from './support/records.js';

const auditor = (tenant = 'acme') => ({ ...userOf(tenant, 'ann'), roles: ['auditor'] });
type Deps = ReturnType<typeof memoryDeps>;

async function record(deps: Deps, count: number) {
  for (let i = 0; i < count; i++) await recordEvent(deps, sourceEvent());
}

/** A chain of `records` with a checkpoint after every `every` records. */
async function checkpointed(records: number, every: number, deps = memoryDeps()) {
  for (let i = 1; i <= records; i++) {
    await record(deps, 1);
    if (i % every === 0) await createCheckpoint(deps, auditor(), { tenant: 'acme' });
  }
  return deps;
}

const verify = (deps: Deps) => verifyChain(deps, auditor(), { tenant: 'acme' });

/** What someone with write access to the store does: replace every record with a consistent forgery. */
async function rewriteWholeChain(deps: Deps) {
  const original = await collect(deps.log.all('acme'));
  let prevHash = '';
  for (const r of original) {
    const { hash: _, ...content } = r;
    const forged = { ...content, actor: r.sequence === 2 ? 'mallory' : r.actor, prevHash };
    const sealed: AuditRecord = { ...forged, hash: recordHash(forged) };
    deps.log.tamper('acme', r.sequence, () => sealed);
    prevHash = sealed.hash;
  }
}

describe('createCheckpoint', () => {
  it('signs the head: tenant, sequence, head hash, time and key, verifiable with the published key', async () => {
    const deps = memoryDeps();
    await record(deps, 3);
    const head = await deps.log.head('acme');
    const { checkpoint, created } = await createCheckpoint(deps, auditor(), { tenant: 'acme' });
    expect(created).toBe(true);
    expect(checkpoint).toMatchObject({ tenant: 'acme', index: 1, sequence: 3, headHash: head!.hash, keyId: deps.keys.keyId, prevCheckpointHash: '' });
    const [published] = listSigningKeys(deps);
    expect(published).toMatchObject({ keyId: deps.keys.keyId, current: true, jwk: { kty: 'OKP', crv: 'Ed25519', kid: deps.keys.keyId } });
    expect(JSON.parse(signedBytes(checkpoint).toString())).toEqual({
      type: 'assent.audit.checkpoint.v1',
      tenant: 'acme',
      index: 1,
      sequence: 3,
      headHash: head!.hash,
      time: checkpoint.time.toISOString(),
      keyId: deps.keys.keyId,
      prevCheckpointHash: '',
    });
    expect(deps.keys.verify(checkpoint.keyId, signedBytes(checkpoint), checkpoint.signature, checkpoint.time)).toBe('valid');
  });

  it('returns the newest checkpoint when the head has not moved, and links the next one to it', async () => {
    const deps = memoryDeps();
    await record(deps, 2);
    const first = await createCheckpoint(deps, auditor(), { tenant: 'acme' });
    expect(await createCheckpoint(deps, auditor(), { tenant: 'acme' })).toEqual({ checkpoint: first.checkpoint, created: false });
    await record(deps, 1);
    const second = await createCheckpoint(deps, { ...userOf('acme', 'root'), roles: ['admin'] }, { tenant: 'acme' });
    expect(second.checkpoint).toMatchObject({ index: 2, sequence: 3, prevCheckpointHash: checkpointHash(first.checkpoint) });
    expect(await collect(deps.checkpoints.all('acme'))).toHaveLength(2);
  });

  it('signs a head once when two replicas race for it', async () => {
    const deps = memoryDeps();
    await record(deps, 2);
    const outcomes = await Promise.all([createCheckpoint(deps, auditor(), { tenant: 'acme' }), createCheckpoint({ ...deps, keys: deps.keys }, auditor(), { tenant: 'acme' })]);
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(await collect(deps.checkpoints.all('acme'))).toHaveLength(1);
  });

  it('signs nothing when the stored head is not a record', async () => {
    const deps = memoryDeps();
    await record(deps, 1);
    deps.log.tamper('acme', 1, (r) => ({ ...r, sequence: 0, hash: '' }));
    await expect(createCheckpoint(deps, auditor(), { tenant: 'acme' })).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(await deps.checkpoints.last('acme')).toBeUndefined();
  });

  it('is for tenant admins, auditors and platform admins of an existing tenant with records', async () => {
    const deps = memoryDeps();
    await record(deps, 1);
    const field = (p: Promise<unknown>) => p.then(() => [], (e: InvalidArgumentError) => e.violations.map((v) => v.field));
    expect(await field(createCheckpoint(deps, auditor(), { tenant: 'Not A Tenant' }))).toEqual(['tenant']);
    await expect(createCheckpoint(deps, userOf('acme'), { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createCheckpoint(deps, auditor('globex'), { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createCheckpoint(deps, service, { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createCheckpoint(deps, { ...userOf('ops', 'root'), roles: ['platform-admin'] }, { tenant: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createCheckpoint(deps, auditor('globex'), { tenant: 'globex' })).rejects.toBeInstanceOf(FailedPreconditionError);
    expect((await createCheckpoint(deps, { ...userOf('ops', 'root'), roles: ['platform-admin'] }, { tenant: 'acme' })).created).toBe(true);
  });
});

describe('verifyChain with checkpoints', () => {
  it('accepts an intact chain and reports how far the checkpoints vouch for it', async () => {
    const deps = await checkpointed(7, 3);
    await record(deps, 1);
    expect(await verify(deps)).toMatchObject({ valid: true, records: 8, checkpoints: 2, firstInvalidSequence: 0, firstInvalidCheckpoint: 0, checkpointedSequence: 6, problem: '' });
  });

  it('detects a whole chain rewritten with every hash recomputed, at the first signed record', async () => {
    const deps = await checkpointed(6, 3);
    expect((await verify(deps)).valid).toBe(true);
    await rewriteWholeChain(deps);
    const result = await verify(deps);
    expect(result).toMatchObject({ valid: false, records: 6, firstInvalidSequence: 3, firstInvalidCheckpoint: 1, checkpointedSequence: 0 });
    expect(result.problem).toMatch(/record 3 is not the one checkpoint 1 signed/);
  });

  it('places a rewrite after a good checkpoint at the next checkpoint', async () => {
    const deps = await checkpointed(6, 2);
    // Rewrite records 4.. consistently, linked to record 3.
    const records = await collect(deps.log.all('acme'));
    let prevHash = records[2]!.hash;
    for (const r of records.slice(3)) {
      const { hash: _, ...content } = r;
      const forged = { ...content, subject: 'request/forged', prevHash };
      const sealed = { ...forged, hash: recordHash(forged) };
      deps.log.tamper('acme', r.sequence, () => sealed);
      prevHash = sealed.hash;
    }
    expect(await verify(deps)).toMatchObject({ valid: false, firstInvalidSequence: 4, firstInvalidCheckpoint: 2, checkpointedSequence: 2 });
  });

  it('detects a tampered signature', async () => {
    const deps = await checkpointed(6, 2);
    deps.checkpoints.tamper('acme', 2, (cp) => ({ ...cp, signature: `${cp.signature.startsWith('A') ? 'B' : 'A'}${cp.signature.slice(1)}` }));
    const result = await verify(deps);
    expect(result).toMatchObject({ valid: false, firstInvalidCheckpoint: 2, firstInvalidSequence: 0 });
    expect(result.problem).toMatch(/signature check failed \(bad signature/);
  });

  it('detects a checkpoint re-signed over a different head by someone without the key', async () => {
    const deps = await checkpointed(4, 2);
    const forger = newKeyRing({ keyId: deps.keys.keyId });
    deps.checkpoints.tamper('acme', 1, (cp) => ({ ...cp, headHash: 'f'.repeat(64), signature: forger.sign(signedBytes({ ...cp, headHash: 'f'.repeat(64) })) }));
    expect(await verify(deps)).toMatchObject({ valid: false, firstInvalidCheckpoint: 1 });
  });

  it('detects a checkpoint removed from the middle, at its position', async () => {
    const deps = await checkpointed(8, 2);
    deps.checkpoints.tamper('acme', 2, () => undefined);
    const result = await verify(deps);
    expect(result).toMatchObject({ valid: false, checkpoints: 3, firstInvalidCheckpoint: 2, firstInvalidSequence: 0 });
    expect(result.problem).toMatch(/checkpoint 2 is not linked to checkpoint 1/);
  });

  it('detects records removed from the end of a checkpointed chain', async () => {
    const deps = await checkpointed(4, 4);
    deps.log.tamper('acme', 4, () => undefined);
    deps.log.tamper('acme', 3, () => undefined);
    expect(await verify(deps)).toMatchObject({ valid: false, records: 2, firstInvalidSequence: 3, firstInvalidCheckpoint: 1 });
  });

  it('still reports an edited record at its own position', async () => {
    const deps = await checkpointed(6, 3);
    deps.log.tamper('acme', 2, (r) => ({ ...r, actor: 'mallory' }));
    expect(await verify(deps)).toMatchObject({ valid: false, firstInvalidSequence: 2, firstInvalidCheckpoint: 0 });
  });

  it('verifies checkpoints of a rotated-out key with its kept public key, and only within its validity', async () => {
    const old = newKeyRing({ keyId: 'audit-2029' });
    const deps = await checkpointed(2, 2, memoryDeps(old));
    const [oldPublic] = old.list();
    const rotated = newKeyRing({ keyId: 'audit-2030', retired: [{ jwk: oldPublic!.jwk }] });
    await record(deps, 2);
    const next = await checkpointed(0, 1, { ...deps, keys: rotated });
    await createCheckpoint(next, auditor(), { tenant: 'acme' });
    expect((await collect(deps.checkpoints.all('acme'))).map((c) => c.keyId)).toEqual(['audit-2029', 'audit-2030']);
    expect(await verify({ ...deps, keys: rotated })).toMatchObject({ valid: true, checkpoints: 2, checkpointedSequence: 4 });
    expect(listSigningKeys({ keys: rotated }).map((k) => [k.keyId, k.current])).toEqual([
      ['audit-2030', true],
      ['audit-2029', false],
    ]);

    // Without the old public key the first checkpoint cannot be trusted.
    const forgetful = newKeyRing({ keyId: 'audit-2030' });
    expect(await verify({ ...deps, keys: forgetful })).toMatchObject({ valid: false, firstInvalidCheckpoint: 1 });
    // A retired key's signature on a checkpoint dated after it was retired is refused.
    const retiredEarly = newKeyRing({ retired: [{ jwk: oldPublic!.jwk, validUntil: new Date(Date.UTC(2029, 11, 31)) }] });
    const result = await verify({ ...deps, keys: retiredEarly });
    expect(result).toMatchObject({ valid: false, firstInvalidCheckpoint: 1 });
    expect(result.problem).toMatch(/key expired/);
  });

  it('refuses a key ring without an Ed25519 private key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    expect(() => KeyRing.create(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/Ed25519/);
    expect(() => KeyRing.create(generateKeyPairSync('ed25519').publicKey)).toThrow(/Ed25519 private key/);
  });
});

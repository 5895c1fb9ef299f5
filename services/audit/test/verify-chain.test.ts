import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform/domain';
import { recordEvent } from '../src/domain/commands/record-event.js';
import { verifyChain } from '../src/domain/commands/verify-chain.js';
import { recordHash } from '../src/domain/record-hash.js';
import { memoryDeps, service, sourceEvent, userOf } from './support/deps.js';

async function chainOf(count: number) {
  const deps = memoryDeps();
  for (let i = 0; i < count; i++) await recordEvent(deps, sourceEvent());
  return deps;
}

describe('verifyChain', () => {
  it('accepts an intact chain and reports its length and head hash', async () => {
    const deps = await chainOf(4);
    const head = await deps.log.head('acme');
    expect(await verifyChain(deps, userOf('acme'), { tenant: 'acme' })).toEqual({ valid: true, records: 4, headHash: head!.hash, firstInvalidSequence: 0, checkpoints: 0, firstInvalidCheckpoint: 0, checkpointedSequence: 0, problem: '' });
  });

  it('treats a tenant with no records as an empty, valid chain, and one that does not exist as NOT_FOUND', async () => {
    expect(await verifyChain(memoryDeps(), service, { tenant: 'initech' })).toEqual({ valid: true, records: 0, headHash: '', firstInvalidSequence: 0, checkpoints: 0, firstInvalidCheckpoint: 0, checkpointedSequence: 0, problem: '' });
    await expect(verifyChain(memoryDeps(), service, { tenant: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds a record whose data was edited', async () => {
    const deps = await chainOf(4);
    deps.log.tamper('acme', 2, (r) => ({ ...r, data: { request: { requester: 'mallory' } } }));
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: false, records: 4, firstInvalidSequence: 2 });
  });

  it('finds an edit even when the edited record was re-sealed, at the next link', async () => {
    const deps = await chainOf(4);
    deps.log.tamper('acme', 2, ({ hash: _, ...r }) => {
      const edited = { ...r, actor: 'mallory' };
      return { ...edited, hash: recordHash(edited) };
    });
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: false, firstInvalidSequence: 3 });
  });

  it('finds a removed record', async () => {
    const deps = await chainOf(4);
    deps.log.tamper('acme', 3, () => undefined);
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: false, records: 3, firstInvalidSequence: 3 });
  });

  it('finds a tampered first record', async () => {
    const deps = await chainOf(2);
    deps.log.tamper('acme', 1, (r) => ({ ...r, occurredAt: new Date('2000-01-01T00:00:00Z') }));
    expect(await verifyChain(deps, service, { tenant: 'acme' })).toMatchObject({ valid: false, firstInvalidSequence: 1 });
  });

  it('lets users verify only their own tenant and rejects a malformed tenant id', async () => {
    const deps = await chainOf(1);
    await expect(verifyChain(deps, userOf('globex'), { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(verifyChain(deps, service, { tenant: 'ACME!' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

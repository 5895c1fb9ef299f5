import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform';
import { MAX_STREAM_CREDENTIALS, createStreamCredential, listStreamCredentials, revokeStreamCredential } from '../src/domain/commands/stream-credentials.js';
import { admin, member, memoryDeps } from './support/memory-deps.js';

describe('stream credentials', () => {
  it('prepares the tenant’s consumer, signs a reader and records it; the creds are returned once', async () => {
    const { deps, gateway, credentials } = memoryDeps();
    const issued = await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' });
    expect(issued).toMatchObject({ url: gateway.url, stream: 'EVENTS', subjects: 'assent.evt.acme.>', creds: expect.stringContaining('acme/siem/') });
    expect(issued.credential).toMatchObject({ tenant: 'acme', consumer: 'siem', createdBy: 'alice', revokedAt: undefined });
    expect(gateway.consumers.get('acme')).toEqual(new Set(['siem']));
    expect(gateway.readers.get(issued.credential.publicKey)).toEqual({ tenant: 'acme', revoked: false });
    const listed = await listStreamCredentials(deps, admin('acme'), { tenant: 'acme' });
    expect(listed).toEqual([issued.credential]);
    expect(JSON.stringify(await credentials.list('acme'))).not.toContain(issued.creds);
  });

  it('revokes at the gateway and records when; a second revoke changes nothing', async () => {
    const { deps, gateway } = memoryDeps();
    const { credential } = await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' });
    const revoked = await revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: credential.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(gateway.readers.get(credential.publicKey)?.revoked).toBe(true);
    expect(await revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: credential.id })).toEqual(revoked);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const { deps, gateway } = memoryDeps();
    const err = await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'Bad Name' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['consumer']);
    await expect(revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: 'nope' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: '01JZ0000000000000000000000' })).rejects.toBeInstanceOf(NotFoundError);
    expect(gateway.consumers.size).toBe(0);
  });

  it('is for the tenant’s admins only, and only in their tenant', async () => {
    const { deps, gateway } = memoryDeps();
    await expect(createStreamCredential(deps, member('acme'), { tenant: 'acme', consumer: 'siem' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createStreamCredential(deps, admin('globex'), { tenant: 'acme', consumer: 'siem' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const { credential } = await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' });
    await expect(revokeStreamCredential(deps, admin('globex'), { tenant: 'acme', id: credential.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(listStreamCredentials(deps, member('acme'), { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createStreamCredential(deps, admin('nobody'), { tenant: 'nobody', consumer: 'siem' })).rejects.toBeInstanceOf(NotFoundError);
    expect([...gateway.consumers.keys()]).toEqual(['acme']);
  });

  it('bounds the valid credentials per tenant', async () => {
    const { deps } = memoryDeps();
    const ids = [];
    for (let i = 0; i < MAX_STREAM_CREDENTIALS; i++) ids.push((await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' })).credential.id);
    await expect(createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' })).rejects.toMatchObject({ reason: 'TOO_MANY_CREDENTIALS' });
    await revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: ids[0]! });
    await expect(createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' })).resolves.toBeDefined();
  });

  it('says clearly when no gateway is configured', async () => {
    const { deps } = memoryDeps({ gateway: undefined });
    await expect(createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' })).rejects.toThrow(/DELIVERY_EVENT_GATEWAY_URL/);
  });
});

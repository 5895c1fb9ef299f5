import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { createEndpoint } from '../src/domain/commands/create-endpoint.js';
import { endpointWants, isOutsideEvent } from '../src/domain/event-types.js';
import { createStreamCredential, revokeStreamCredential } from '../src/domain/commands/stream-credentials.js';
import { admin, member, memoryDeps } from './support/memory-deps.js';

describe('endpoint and credential changes are published for audit with their actor', () => {
  it('keeps delivery\'s own events from webhooks and outside consumers', () => {
    const all = { id: 'ep', tenant: 'acme', url: 'https://h.example.com', description: '', eventTypes: [], secret: 's', createdAt: new Date(), disabled: false };
    expect(endpointWants(all, 'assent.delivery.endpoint_created.v1')).toBe(false);
    expect(endpointWants({ ...all, eventTypes: ['assent.delivery.endpoint_created.v1'] }, 'assent.delivery.endpoint_created.v1')).toBe(false);
    expect(endpointWants(all, 'assent.approval.decided.v1')).toBe(true);
    expect(isOutsideEvent('assent.delivery.stream_credential_revoked.v1')).toBe(false);
  });

  it('publishes a created endpoint without its secret', async () => {
    const { deps, published } = memoryDeps();
    const e = await createEndpoint(deps, admin('acme'), { tenant: 'acme', url: 'https://hooks.example.com/assent', description: 'ops', eventTypes: ['assent.approval.decided.v1'] });
    expect(published.map((p) => [p.type, p.tenant, p.subject])).toEqual([['assent.delivery.endpoint_created.v1', 'acme', `endpoint/${e.id}`]]);
    expect(eventsv1.EndpointCreated.fromJSON(published[0]?.data)).toEqual({
      tenant: 'acme',
      endpoint: { id: e.id, origin: 'https://hooks.example.com', description: 'ops', eventTypes: ['assent.approval.decided.v1'] },
      actor: 'alice',
    });
    expect(JSON.stringify(published)).not.toContain(e.secret);
    expect(JSON.stringify(published)).not.toContain('/assent');
    await expect(createEndpoint(deps, member('acme'), { tenant: 'acme', url: 'https://hooks.example.com/b', description: '', eventTypes: [] })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(published).toHaveLength(1);
  });

  it('publishes an issued and a revoked stream credential, without its creds, and nothing for a second revoke', async () => {
    const { deps, published } = memoryDeps();
    const issued = await createStreamCredential(deps, admin('acme'), { tenant: 'acme', consumer: 'siem' });
    await revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: issued.credential.id });
    await revokeStreamCredential(deps, admin('acme'), { tenant: 'acme', id: issued.credential.id });
    expect(published.map((p) => [p.type, p.subject, eventsv1.StreamCredentialChanged.fromJSON(p.data)])).toEqual([
      ['assent.delivery.stream_credential_created.v1', `credential/${issued.credential.id}`, { tenant: 'acme', credentialId: issued.credential.id, consumer: 'siem', actor: 'alice' }],
      ['assent.delivery.stream_credential_revoked.v1', `credential/${issued.credential.id}`, { tenant: 'acme', credentialId: issued.credential.id, consumer: 'siem', actor: 'alice' }],
    ]);
    expect(JSON.stringify(published)).not.toContain(issued.creds);
  });
});

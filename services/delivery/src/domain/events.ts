import type { Endpoint, StreamCredential } from './types.js';

/** Events delivery publishes (payloads in proto/assent/events/v1/events.proto). */
export const eventTypes = {
  endpointCreated: 'assent.delivery.endpoint_created.v1',
  streamCredentialCreated: 'assent.delivery.stream_credential_created.v1',
  streamCredentialRevoked: 'assent.delivery.stream_credential_revoked.v1',
} as const;

/**
 * assent.delivery.endpoint_created.v1 (EndpointCreated): never the signing secret,
 * and of the URL only its origin, since paths and queries often carry tokens (chat
 * incoming-webhook URLs do) and the audit log is readable by the tenant's members.
 */
export const endpointCreatedData = (e: Endpoint, actor: string) => ({
  tenant: e.tenant,
  endpoint: { id: e.id, origin: new URL(e.url).origin, description: e.description, eventTypes: [...e.eventTypes] },
  actor,
});

/** assent.delivery.stream_credential_created.v1 / _revoked.v1 (StreamCredentialChanged): never the creds. */
export const streamCredentialData = (c: StreamCredential, actor: string) => ({ tenant: c.tenant, credentialId: c.id, consumer: c.consumer, actor });
